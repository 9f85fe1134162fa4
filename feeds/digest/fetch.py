"""Fetching a feed over HTTP as a feed reader does, with a timeout and precise errors."""

from __future__ import annotations

import gzip
import socket
import urllib.error
import urllib.request
import zlib
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

from feeds.digest.parse import ParsedFeed, parse_feed
from feeds.errors import DigestSourceError

DEFAULT_TIMEOUT = 20.0
#: A feed larger than this is refused rather than read into memory.
MAX_BYTES = 10 * 1024 * 1024
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def fetch_feed(url: str, timeout: float = DEFAULT_TIMEOUT) -> ParsedFeed:
    """The feed at ``url``; raises DigestSourceError naming the URL and what went wrong."""
    body, content_type, final_url = fetch_bytes(url, timeout)
    return parse_feed(body, content_type, final_url)


def fetch_bytes(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str, str]:
    """``(body, Content-Type, URL after redirects)`` of a 2xx answer."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DigestSourceError(f"{url} is not an http(s) URL")
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": user_agent(),
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
            encoding = response.headers.get("Content-Encoding", "")
            final_url = response.geturl()
    except urllib.error.HTTPError as exc:
        raise DigestSourceError(
            f"{url} answered HTTP {exc.code} {exc.reason}{_first_line(exc)}"
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timed_out(url, timeout) from exc
        raise DigestSourceError(f"cannot connect to {url}: {_reason(exc.reason)}") from exc
    except TimeoutError as exc:  # the answer started, then stalled
        raise _timed_out(url, timeout) from exc
    except (OSError, ValueError) as exc:  # a reset connection, a malformed answer
        raise DigestSourceError(f"cannot read {url}: {exc}") from exc
    if len(body) > MAX_BYTES:
        raise DigestSourceError(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB")
    return _decoded(body, encoding, url), content_type, final_url


def _decoded(body: bytes, encoding: str, url: str) -> bytes:
    if encoding.strip().lower() != "gzip":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as exc:
        raise DigestSourceError(f"{url} sent a damaged gzip body ({exc})") from exc


def _timed_out(url: str, timeout: float) -> DigestSourceError:
    return DigestSourceError(f"{url} did not answer within {timeout:g} s")


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    return str(getattr(reason, "strerror", None) or reason)


def _first_line(error: urllib.error.HTTPError) -> str:
    """The server's one-line explanation, when it gave one as plain text."""
    if not error.headers.get("Content-Type", "").startswith("text/plain"):
        return ""
    try:
        line = error.read(500).decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return f": {line[0][:200]}" if line else ""


def user_agent() -> str:
    try:
        release = version("feeds")
    except PackageNotFoundError:
        release = "dev"
    return f"feeds-digest/{release} (e-mail digests of feeds)"
