"""The subscription settings: where the list is, how mail goes out, what signs links.

Read from the same ``FEEDS_*`` variables as the web app (``webapp/settings.py`` lists
them with their defaults, and checks them with :func:`parse_smtp_url`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from feeds.archive.ids import DEFAULT_TAG_AUTHORITY
from feeds.digest.send import SmtpSettings
from feeds.errors import SubscriptionConfigError

SCHEMES = {"smtp": False, "smtp+starttls": True}
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587}


def parse_smtp_url(url: str, password: str | None = None) -> SmtpSettings:
    """``smtp://host:port`` or ``smtp+starttls://user@host:587``; the password is never in
    the URL (it would show in process lists and logs) but in ``FEEDS_SMTP_PASSWORD``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SubscriptionConfigError(f"FEEDS_SMTP_URL is not a URL: {exc}") from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SubscriptionConfigError(
            "FEEDS_SMTP_URL must be smtp://HOST:PORT or smtp+starttls://USER@HOST:PORT, "
            f"not '{url[:80]}'"
        )
    if parts.password is not None:
        raise SubscriptionConfigError(
            "FEEDS_SMTP_URL must not hold the password; set FEEDS_SMTP_PASSWORD"
        )
    if parts.path not in ("", "/") or parts.query:
        raise SubscriptionConfigError("FEEDS_SMTP_URL takes no path or query")
    return SmtpSettings(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        starttls=SCHEMES[parts.scheme],
        user=unquote(parts.username) if parts.username else None,
        password=password or None,
    )


def check_sender(sender: str) -> str:
    """``FEEDS_MAIL_FROM``: ``addr`` or ``Name <addr>``."""
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise SubscriptionConfigError(
            f"FEEDS_MAIL_FROM must be an address such as 'News <news@example.org>', "
            f"not '{sender[:80]}'"
        )
    return sender


@dataclass(frozen=True, slots=True)
class MailSettings:
    #: ``FEEDS_DATABASE_URL``; empty: the SQLite default.
    database_url: str = ""
    #: ``None`` when ``FEEDS_SMTP_URL`` is not set.
    smtp: SmtpSettings | None = None
    sender: str = ""
    secret_key: str = field(default="", repr=False)
    #: ``FEEDS_BASE_URL`` without a trailing slash; links in messages start with it.
    base_url: str = ""
    site_title: str = "Newsroom"
    timezone: str = "UTC"
    tag_authority: str = DEFAULT_TAG_AUTHORITY

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if environ is None else environ
        smtp_url = env.get("FEEDS_SMTP_URL", "")
        sender = env.get("FEEDS_MAIL_FROM", "")
        return cls(
            database_url=env.get("FEEDS_DATABASE_URL", ""),
            smtp=parse_smtp_url(smtp_url, env.get("FEEDS_SMTP_PASSWORD")) if smtp_url else None,
            sender=check_sender(sender) if sender else "",
            secret_key=env.get("FEEDS_SECRET_KEY", ""),
            base_url=env.get("FEEDS_BASE_URL", "").rstrip("/"),
            site_title=env.get("FEEDS_SITE_TITLE") or "Newsroom",
            timezone=env.get("FEEDS_TIMEZONE") or "UTC",
            tag_authority=env.get("FEEDS_TAG_AUTHORITY") or DEFAULT_TAG_AUTHORITY,
        )

    def require_sending(self) -> None:
        """What ``feeds subscribers send`` needs, said clearly when missing."""
        missing = [
            f"{name} ({why})"
            for name, value, why in (
                ("FEEDS_BASE_URL", self.base_url, "links in messages are absolute"),
                ("FEEDS_SMTP_URL", self.smtp, "where mail goes"),
                ("FEEDS_MAIL_FROM", self.sender, "the From address"),
                ("FEEDS_SECRET_KEY", self.secret_key, "it signs the manage and unsubscribe links"),
            )
            if not value
        ]
        if missing:
            raise SubscriptionConfigError("set " + ", ".join(missing))
        if not self.base_url.startswith(("https://", "http://")):
            raise SubscriptionConfigError("FEEDS_BASE_URL must be an absolute http(s) URL")
