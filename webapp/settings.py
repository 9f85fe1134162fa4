"""Settings: defaults in one place, then ``FEEDS_*`` environment variables, then code.

Every setting is documented in README.md (``tests/test_docs.py`` checks that).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from dateutil import tz

from feeds.errors import FeedsError
from feeds.ids import DEFAULT_TAG_AUTHORITY, is_valid_authority

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
    "RESPONSE_CACHE_ENTRIES": 2048,
    "WEBSUB_HUB": "",
}


class SettingsError(FeedsError, ValueError):
    """A ``FEEDS_*`` setting that cannot be used."""


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``FEEDS_``-prefixed Flask config keys, validated."""
    environ = os.environ if environ is None else environ
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
    return raw


def _validate(settings: dict[str, Any]) -> None:
    for name in ("PAGE_SIZE", "MAX_PAGE_SIZE"):
        if settings[f"FEEDS_{name}"] < 1:
            raise SettingsError(f"FEEDS_{name} must be at least 1")
    if settings["FEEDS_PAGE_SIZE"] > settings["FEEDS_MAX_PAGE_SIZE"]:
        raise SettingsError("FEEDS_PAGE_SIZE must not exceed FEEDS_MAX_PAGE_SIZE")
    for name in ("CACHE_MAX_AGE", "TRUSTED_PROXIES", "RELOAD_SECONDS", "RESPONSE_CACHE_ENTRIES"):
        if settings[f"FEEDS_{name}"] < 0:
            raise SettingsError(f"FEEDS_{name} must not be negative")
    if tz.gettz(settings["FEEDS_TIMEZONE"]) is None:
        raise SettingsError(f"FEEDS_TIMEZONE '{settings['FEEDS_TIMEZONE']}' is not a time zone")
    if not is_valid_authority(settings["FEEDS_TAG_AUTHORITY"]):
        raise SettingsError("FEEDS_TAG_AUTHORITY must be a domain name or an e-mail address")
    base = settings["FEEDS_BASE_URL"]
    if base and (not base.startswith(("http://", "https://")) or "?" in base or "#" in base):
        raise SettingsError(f"FEEDS_BASE_URL must be an absolute http(s) URL, not '{base}'")
    settings["FEEDS_BASE_URL"] = base.rstrip("/")
    hub = settings["FEEDS_WEBSUB_HUB"]
    if hub and not hub.startswith(("http://", "https://")):
        raise SettingsError(f"FEEDS_WEBSUB_HUB must be an absolute http(s) URL, not '{hub}'")
