"""Digests described in a TOML file, and the checks command-line options share with it.

::

    smtp = "mail.example.org:587"      # top level: how to send, for every digest
    starttls = true
    user = "digests"
    password_env = "DIGEST_SMTP_PASSWORD"
    base_url = "https://news.example.org"

    [[digest]]
    name = "mexico-weekly"
    feeds = ["country/mexico", "https://example.com/other.rss"]
    to = ["press@example.org"]
    from = "Newsroom <news@example.org>"
    period = "weekly"                  # or "daily"
    subject = "Mexico this week"       # optional
    state = "state/mexico.json"        # optional; relative to this file
    list_unsubscribe = "mailto:unsubscribe@example.org"   # optional; or an https URL
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from feeds.catalog.selection import SELECTION_PATH
from feeds.digest.fetch import DEFAULT_TIMEOUT
from feeds.digest.model import PERIODS, DigestSpec
from feeds.digest.send import SmtpSettings
from feeds.errors import DigestConfigError
from feeds.tomlfile import line_of, read_toml
from feeds.urls import FEED_EXTENSIONS, SiteUrls

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_FEED_PATH = re.compile(rf"(?P<path>{SELECTION_PATH})(?:\.(?P<ext>{'|'.join(FEED_EXTENSIONS)}))?")
_HEADERS = HeaderRegistry()
_DIGEST_KEYS = {"name", "feeds", "to", "from", "period", "subject", "state", "list_unsubscribe"}
_TOP_KEYS = {"smtp", "starttls", "user", "password_env", "base_url", "timeout", "digest"}


@dataclass(frozen=True, slots=True)
class DigestConfig:
    smtp: SmtpSettings
    digests: tuple[DigestSpec, ...]
    #: Seconds each feed's whole fetch may take.
    timeout: float


def load_config(path: Path) -> DigestConfig:
    """The digests in ``path``; every mistake is a DigestConfigError saying ``path:line``."""
    data, text = read_toml(path)

    def fail(message: str, needle: str = "") -> DigestConfigError:
        line = line_of(text, needle) if needle else 1
        return DigestConfigError(f"{path}:{line}: {message}")

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(
            f"unknown setting '{unknown[0]}'; settings are {', '.join(sorted(_TOP_KEYS))}",
            unknown[0],
        )
    try:
        smtp = smtp_settings(
            _string(data, "smtp", required=True),
            starttls=_bool(data, "starttls"),
            user=_string(data, "user"),
            password_env=_string(data, "password_env"),
        )
    except DigestConfigError as exc:
        raise fail(str(exc), "password_env" if "password" in str(exc) else "smtp") from None
    try:
        base_url = _string(data, "base_url")
        timeout = checked_timeout(data.get("timeout", DEFAULT_TIMEOUT))
    except DigestConfigError as exc:
        raise fail(str(exc), "timeout" if "timeout" in str(exc) else "base_url") from None
    tables = data.get("digest")
    if not isinstance(tables, list) or not tables:
        raise fail("no [[digest]] tables; each digest is a [[digest]] table")
    digests: list[DigestSpec] = []
    start = 1
    for table in tables:
        start = line_of(text, "[[digest]]", start)
        try:
            digests.append(_digest(table, base_url, path.parent))
        except DigestConfigError as exc:
            raise DigestConfigError(f"{path}:{start}: {exc}") from None
        start += 1
    names = [digest.name for digest in digests]
    for name in names:
        if names.count(name) > 1:
            raise fail(f"two digests are named '{name}'; each needs its own name", name)
    return DigestConfig(smtp, tuple(digests), timeout)


def _digest(table: Any, base_url: str | None, directory: Path) -> DigestSpec:
    if not isinstance(table, dict):
        raise DigestConfigError("a digest must be a [[digest]] table")
    unknown = sorted(set(table) - _DIGEST_KEYS)
    if unknown:
        raise DigestConfigError(
            f"unknown digest setting '{unknown[0]}'; settings are {', '.join(sorted(_DIGEST_KEYS))}"
        )
    name = _string(table, "name", required=True) or ""
    if not _NAME.fullmatch(name):
        raise DigestConfigError(
            f"digest name '{name}' must be letters, digits, '.', '_' "
            "or '-' (it names the state file)"
        )
    period = _string(table, "period", required=True) or ""
    if period not in PERIODS:
        raise DigestConfigError(
            f"digest '{name}': period must be {' or '.join(PERIODS)}, not '{period}'"
        )
    state = _string(table, "state")
    return DigestSpec(
        name=name,
        feeds=tuple(feed_url(feed, base_url) for feed in _strings(table, "feeds", name)),
        to=addresses(_strings(table, "to", name), "to"),
        sender=addresses([_string(table, "from", required=True) or ""], "from")[0],
        state=directory / Path(state or f"{name}.state.json").expanduser(),
        period=period,
        subject=_string(table, "subject"),
        list_unsubscribe=unsubscribe_uris(_strings(table, "list_unsubscribe", name, False)),
    )


def _string(table: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise DigestConfigError(f"'{key}' is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise DigestConfigError(f"'{key}' must be a non-empty string")
    return value.strip()


def _strings(table: dict[str, Any], key: str, name: str, required: bool = True) -> list[str]:
    value = table.get(key, [])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise DigestConfigError(f"digest '{name}': '{key}' must be a string or a list of them")
    if required and not values:
        raise DigestConfigError(f"digest '{name}': '{key}' is missing or empty")
    return [v.strip() for v in values]


def checked_timeout(value: Any) -> float:
    """The one rule for a fetch timeout, in the file and on the command line: seconds,
    more than 0, at most 600 (``--timeout`` converts its text first)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise DigestConfigError("'timeout' must be a number of seconds, more than 0, at most 600")
    return float(value)


def _bool(table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise DigestConfigError(f"'{key}' must be true or false")
    return value


def smtp_settings(
    host_port: str | None, *, starttls: bool, user: str | None, password_env: str | None
) -> SmtpSettings:
    """From ``host:port`` and the name of the variable holding the password."""
    host, port = parse_host_port(host_port or "")
    if bool(user) != bool(password_env):
        raise DigestConfigError("give the SMTP user and the password variable together")
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise DigestConfigError(
                f"environment variable {password_env} (the SMTP password) is not set"
            )
    return SmtpSettings(host, port, starttls, user, password)


def parse_host_port(text: str) -> tuple[str, int]:
    """``mail.example.org:587`` or ``[::1]:25``."""
    host, _, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DigestConfigError(f"SMTP server must be HOST:PORT, not '{text}'")
    return host, int(port)


def feed_url(feed: str, base_url: str | None) -> str:
    """An http(s) URL as given, or one of our feed paths (``country/mexico``, ``all.json``)
    under ``base_url``, as Atom unless it names its format."""
    if feed.startswith(("http://", "https://")):
        return feed
    found = _FEED_PATH.fullmatch(feed.strip("/").removeprefix("feeds/"))
    if not found:
        raise DigestConfigError(
            f"feed '{feed}' is neither an http(s) URL nor a feed path "
            "like all, country/mexico, topic/<slug> or region/<slug>"
        )
    if not base_url:
        raise DigestConfigError(
            f"feed '{feed}' is a path: give the base URL it is under "
            "(--base-url, base_url in the file, or $FEEDS_BASE_URL)"
        )
    return SiteUrls(base_url.rstrip("/")).feed(found["path"].lower(), found["ext"] or "atom")


def addresses(values: list[str], what: str) -> tuple[str, ...]:
    """E-mail addresses as ``addr`` or ``Name <addr>``, one each; the address itself in
    ASCII, which is what SMTP without the SMTPUTF8 extension carries."""
    for value in values:
        try:
            header = _HEADERS("to", value)
            found = header.addresses  # type: ignore[attr-defined]
        except Exception:  # the stdlib parser raises IndexError, too, on some input
            found, defects = (), True
        else:
            defects = bool(header.defects)
        if defects or len(found) != 1 or not found[0].domain or not found[0].addr_spec.isascii():
            raise DigestConfigError(f"'{value}' is not one e-mail address ({what})")
    return tuple(values)


def unsubscribe_uris(values: list[str]) -> tuple[str, ...]:
    """``mailto:`` or http(s) URIs for List-Unsubscribe; a bare address becomes ``mailto:``."""
    uris = []
    for value in values:
        if value.startswith(("mailto:", "https://", "http://")) and value.isascii():
            uris.append(value)
        elif "@" in value:
            uris.append("mailto:" + parseaddr(addresses([value], "list_unsubscribe")[0])[1])
        else:
            raise DigestConfigError(
                f"list_unsubscribe '{value}' must be an e-mail address, "
                "a mailto: URI or an http(s) URL"
            )
    return tuple(uris)
