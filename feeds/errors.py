"""One tree of exceptions, so callers can catch ``FeedsError`` or something precise."""

from __future__ import annotations


class FeedsError(Exception):
    """Root of every error this package raises on purpose."""


class ArchiveNotFoundError(FeedsError, FileNotFoundError):
    """The archive directory does not exist or holds no ``*.txt`` files."""


class ArchiveTooLargeError(FeedsError, ValueError):
    """More files, or more entries in one file, than sort keys can number."""


class UnknownSelectionError(FeedsError, LookupError):
    """A country or topic slug that names nothing."""


class InvalidQueryError(FeedsError, ValueError):
    """A feed query parameter that is malformed or out of range."""


class DataFileError(FeedsError, ValueError):
    """A data file (taxonomy, overrides, country aliases) that cannot be read."""


class DigestError(FeedsError):
    """A digest could not be built or sent, and nothing was recorded as sent (exit 1)."""


class DigestSourceError(DigestError, OSError):
    """A feed that a digest reads is unreachable, not a feed, or malformed."""


class DigestSendError(DigestError, OSError):
    """The SMTP server could not be reached, or did not accept the message."""


class DigestStateError(DigestError, ValueError):
    """A digest state file that cannot be read, parsed, locked or written."""


class DigestConfigError(FeedsError, ValueError):
    """Digest options or a digest configuration file that cannot be used (exit 2)."""


class SubscriptionError(FeedsError):
    """Root of the e-mail subscriptions' errors (issue 16)."""


class SubscriptionConfigError(SubscriptionError, ValueError):
    """A subscription setting (database URL, SMTP URL, sender, secret key) that cannot be used."""


class InvalidSignUpError(SubscriptionError, ValueError):
    """A sign-up or manage form that asks for something impossible (the message says what)."""


class BadLinkError(SubscriptionError, ValueError):
    """A signed link that was altered, has expired, or was already used."""
