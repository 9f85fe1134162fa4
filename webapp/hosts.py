"""The public host: configured (``FEEDS_BASE_URL``, or trusted proxies), or the client's.

Without ``FEEDS_BASE_URL``, links follow the request's ``Host`` (handy on a laptop). A
client can send any ``Host`` it likes, so such documents must never sit in a shared
cache that answers other clients (issue 14): when nothing configured the host and the
client named a host other than loopback, ``Cache-Control: public`` becomes ``private``.
The app's own response cache keys each document by its canonical absolute URL, host
included, so it never answers one host's document to another.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

Environ = dict[str, Any]


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``[::1]``, ``localhost``: reachable from this machine only."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761 section 6.3
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another name: it may resolve to anything


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:8000`` → ``::1``); ``""``
    for a header that is no ``host[:port]`` (``[::1]evil.example``, ``a@b``), which then
    counts as no loopback host."""
    found = _HOST.fullmatch(host_header)
    if found:
        return found["ipv6"] or found["name"]
    try:  # a bare IPv6 address, as some clients send it
        return str(ipaddress.IPv6Address(host_header))
    except ValueError:
        return ""


#: RFC 9110 section 7.2 / RFC 3986 section 3.2.2: a name or IPv4 address, or an IPv6
#: address in brackets, then an optional port.
_HOST = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::[0-9]{1,5})?")


class PrivateUnlessConfigured:
    """WSGI middleware, outermost: shared caches never keep a document whose links came
    from a ``Host`` that nothing configured."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        if is_loopback(host_name(environ.get("HTTP_HOST", ""))):
            return self.app(environ, start_response)  # type: ignore[no-any-return]

        def privately(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            headers = [
                (name, _private(value) if name.lower() == "cache-control" else value)
                for name, value in headers
            ]
            return start_response(status, headers, *args)

        return self.app(environ, privately)  # type: ignore[no-any-return]


def _private(cache_control: str) -> str:
    return cache_control.replace("public", "private", 1)


def host_is_configured(config: dict[str, Any]) -> bool:
    """``FEEDS_BASE_URL`` names it, or trusted proxies send it (``X-Forwarded-Host``)."""
    return bool(config["FEEDS_BASE_URL"]) or config["FEEDS_TRUSTED_PROXIES"] > 0
