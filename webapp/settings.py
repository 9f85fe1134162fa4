"""Settings: defaults in one place, then ``FEEDS_*`` environment variables, then code.

Every setting is documented in README.md (``tests/test_docs.py`` checks that).
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pycountry
from dateutil import tz

from feeds.archive.ids import DEFAULT_TAG_AUTHORITY, is_valid_authority
from feeds.errors import FeedsError

#: name (without the FEEDS_ prefix) → default. The type of the default is the type.
DEFAULTS: dict[str, Any] = {
    "ARCHIVE": "archive",
    "SITE_TITLE": "Newsroom",
    "BASE_URL": "",
    "TAG_AUTHORITY": DEFAULT_TAG_AUTHORITY,
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    "CACHE_MAX_AGE": 300,
    "TIMEZONE": "UTC",
    "LANGUAGE": "en",
    "TRUSTED_PROXIES": 0,
    "RELOAD_SECONDS": 60,
    #: Bytes of finished documents (both codings) each worker keeps (issue 14).
    "RESPONSE_CACHE_BYTES": 64 * 2**20,
    #: Where the parsed archive is kept between runs (issue 19); "": the user's cache
    #: directory ($XDG_CACHE_HOME/feeds); "off": nowhere.
    "SNAPSHOT_DIR": "",
    "WEBSUB_HUB": "",
    #: Archive files larger than this are reported and skipped unread (issue 14).
    "MAX_FILE_BYTES": 16 * 2**20,
    #: Seconds a changed archive file must stay unchanged before it is published.
    "SETTLE_SECONDS": 2.0,
    # E-mail subscriptions (issue 16): empty DATABASE_URL is an SQLite file under
    # $XDG_STATE_HOME/feeds/; sign-up is off without SECRET_KEY.
    "DATABASE_URL": "",
    "SMTP_URL": "",
    "SMTP_PASSWORD": "",
    "MAIL_FROM": "",
    "SECRET_KEY": "",
}


#: Settings that were renamed: an operator who still sets the old name is told, rather
#: than silently given the new one's default.
RENAMED = {"RESPONSE_CACHE_ENTRIES": "RESPONSE_CACHE_BYTES"}


class SettingsError(FeedsError, ValueError):
    """A ``FEEDS_*`` setting that cannot be used."""


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``FEEDS_``-prefixed Flask config keys, validated."""
    environ = os.environ if environ is None else environ
    for old, new in RENAMED.items():
        if f"FEEDS_{old}" in environ or f"FEEDS_{old}" in (overrides or {}):
            raise SettingsError(f"FEEDS_{old} is now FEEDS_{new}: set that instead")
    settings = {f"FEEDS_{name}": value for name, value in DEFAULTS.items()}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"FEEDS_{name}")
        if raw is not None:
            settings[f"FEEDS_{name}"] = _convert(name, raw, type(default))
    settings.update(overrides or {})
    _validate(settings)
    return settings


def _convert(name: str, raw: str, kind: type) -> Any:
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"FEEDS_{name} must be a whole number, not '{raw}'") from None
    if kind is float:
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"FEEDS_{name} must be a number, not '{raw}'") from None
        if not math.isfinite(value):  # inf would hold every changed file back for ever
            raise SettingsError(f"FEEDS_{name} must be a finite number, not '{raw}'")
        return value
    return raw


def _validate(settings: dict[str, Any]) -> None:
    for name in ("PAGE_SIZE", "MAX_PAGE_SIZE"):
        if settings[f"FEEDS_{name}"] < 1:
            raise SettingsError(f"FEEDS_{name} must be at least 1")
    if settings["FEEDS_PAGE_SIZE"] > settings["FEEDS_MAX_PAGE_SIZE"]:
        raise SettingsError("FEEDS_PAGE_SIZE must not exceed FEEDS_MAX_PAGE_SIZE")
    if settings["FEEDS_MAX_FILE_BYTES"] < 1:
        raise SettingsError("FEEDS_MAX_FILE_BYTES must be at least 1")
    if settings["FEEDS_SETTLE_SECONDS"] < 0:
        raise SettingsError("FEEDS_SETTLE_SECONDS must not be negative")
    for name in ("CACHE_MAX_AGE", "TRUSTED_PROXIES", "RELOAD_SECONDS", "RESPONSE_CACHE_BYTES"):
        if settings[f"FEEDS_{name}"] < 0:
            raise SettingsError(f"FEEDS_{name} must not be negative")
    if not settings["FEEDS_SITE_TITLE"].strip():
        raise SettingsError("FEEDS_SITE_TITLE must not be blank: it names every feed")
    if not _is_time_zone(settings["FEEDS_TIMEZONE"]):
        raise SettingsError(f"FEEDS_TIMEZONE '{settings['FEEDS_TIMEZONE']}' is not a time zone")
    if not _is_language(settings["FEEDS_LANGUAGE"]):
        raise SettingsError(
            f"FEEDS_LANGUAGE must be an ISO 639 language tag such as 'en' or 'es-MX', "
            f"not '{settings['FEEDS_LANGUAGE']}'"
        )
    authority = settings["FEEDS_TAG_AUTHORITY"]
    if not is_valid_authority(authority) or not _W3C_TAG_AUTHORITY.fullmatch(authority):
        raise SettingsError(
            "FEEDS_TAG_AUTHORITY must be a domain name or an e-mail address, in lower case"
        )
    base = settings["FEEDS_BASE_URL"]
    if base and (not _is_http_url(base) or "?" in base or "#" in base):
        raise SettingsError(f"FEEDS_BASE_URL must be an absolute http(s) URL, not '{base}'")
    settings["FEEDS_BASE_URL"] = base.rstrip("/")
    hub = settings["FEEDS_WEBSUB_HUB"]
    if hub and not _is_http_url(hub):
        raise SettingsError(f"FEEDS_WEBSUB_HUB must be an absolute http(s) URL, not '{hub}'")
    _validate_mail(settings)


def _validate_mail(settings: dict[str, Any]) -> None:
    """The subscription settings, by the rules of ``feeds subscribers`` (issue 16)."""
    from feeds.errors import SubscriptionConfigError
    from feeds.subscriptions.settings import check_sender, parse_smtp_url

    try:
        if settings["FEEDS_SMTP_URL"]:
            parse_smtp_url(settings["FEEDS_SMTP_URL"])
        if settings["FEEDS_MAIL_FROM"]:
            check_sender(settings["FEEDS_MAIL_FROM"])
    except SubscriptionConfigError as exc:
        raise SettingsError(str(exc)) from None
    if 0 < len(settings["FEEDS_SECRET_KEY"]) < 16:
        raise SettingsError("FEEDS_SECRET_KEY must be at least 16 characters: it signs links")


# The W3C feed validator checks tag URIs against this (validators.py, rfc2396.tag_re):
# lower case only, although RFC 4151 allows any case.
_W3C_TAG_AUTHORITY = re.compile(r"([a-z0-9._-]+@)?[a-z0-9.-]+")
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(-[A-Za-z0-9]{1,8})*")


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unclosed "[" of an IPv6 address
        return False
    spaced = any(char.isspace() for char in url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not spaced


def _is_time_zone(name: str) -> bool:
    """A zone name such as ``America/Mexico_City``: not empty (dateutil's local zone), not a
    file path (dateutil reads any file it is given)."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tz.gettz(name) is not None
        except (ValueError, OSError):
            return False


def _is_language(tag: str) -> bool:
    """BCP 47 with an ISO 639 primary subtag: what the W3C validator accepts in feeds."""
    match = _LANGUAGE_TAG.fullmatch(tag)
    if match is None:
        return False
    primary = match[1].lower()
    field = "alpha_2" if len(primary) == 2 else "alpha_3"
    return pycountry.languages.get(**{field: primary}) is not None
