"""One tree of exceptions, so callers can catch ``FeedsError`` or something precise."""

from __future__ import annotations


class FeedsError(Exception):
    """Root of every error this package raises on purpose."""


class ArchiveNotFoundError(FeedsError, FileNotFoundError):
    """The archive directory does not exist or holds no ``*.txt`` files."""


class UnknownSelectionError(FeedsError, LookupError):
    """A country or topic slug that names nothing."""


class InvalidQueryError(FeedsError, ValueError):
    """A feed query parameter that is malformed or out of range."""


class DataFileError(FeedsError, ValueError):
    """A data file (taxonomy, overrides, country aliases) that cannot be read."""
