"""Fetching a feed over HTTP as a feed reader does, with a timeout and precise errors."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.error
import urllib.request
import zlib
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit

from feeds.digest.parse import ParsedFeed, parse_feed
from feeds.errors import DigestSourceError

DEFAULT_TIMEOUT = 20.0
#: A feed larger than this, as sent or decompressed, is refused rather than read into memory.
MAX_BYTES = 10 * 1024 * 1024
#: Bytes asked of the socket at a time.
CHUNK = 64 * 1024
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def fetch_feed(url: str, timeout: float = DEFAULT_TIMEOUT) -> ParsedFeed:
    """The feed at ``url``; raises DigestSourceError naming the URL and what went wrong."""
    body, content_type, final_url = fetch_bytes(url, timeout)
    return parse_feed(body, content_type, final_url)


def fetch_bytes(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str, str]:
    """``(body, Content-Type, URL after redirects)`` of a 2xx answer.

    ``timeout`` is a deadline for the whole fetch, redirects included (issue 14): a
    server that trickles a byte a second is cut off then, not after each silent read.
    """
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
    with Deadline(timeout) as deadline:
        try:
            with deadline.opener().open(request, timeout=timeout) as response:
                body = _read_at_most(response, MAX_BYTES, deadline)
                content_type = response.headers.get("Content-Type", "")
                encoding = response.headers.get("Content-Encoding", "")
                final_url = response.geturl()
        except urllib.error.HTTPError as exc:
            raise DigestSourceError(
                f"{url} answered HTTP {exc.code} {exc.reason}{_first_line(exc)}"
            ) from exc
        except Exception as exc:  # whatever a socket shut at the deadline makes http.client say
            if deadline.expired or _is_timeout(exc):
                raise _timed_out(url, timeout) from exc
            if isinstance(exc, urllib.error.URLError):
                raise DigestSourceError(f"cannot connect to {url}: {_reason(exc.reason)}") from exc
            if isinstance(exc, OSError | ValueError | http.client.HTTPException):
                raise DigestSourceError(f"cannot read {url}: {exc}") from exc
            raise
    if len(body) > MAX_BYTES:
        raise DigestSourceError(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB")
    return _decoded(body, encoding, url), content_type, final_url


def _read_at_most(response: http.client.HTTPResponse, limit: int, deadline: Deadline) -> bytes:
    """Up to ``limit + 1`` bytes, a chunk as it comes, until the end or the deadline."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = response.read1(min(CHUNK, limit + 1 - size))
        if deadline.expired:  # the socket was shut: what came is not the whole body
            raise TimeoutError("deadline passed")
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class Deadline:
    """Shuts every socket of one fetch when its time is up: a read blocked on a server
    that sends a byte now and then returns at once, however the socket timeout is set."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's usual opener (proxies from the environment, redirects), whose
        connections are watched by this deadline."""
        watch = self.watch

        class Connection(http.client.HTTPConnection):
            def connect(self) -> None:
                super().connect()
                watch(self.sock)

        class SecureConnection(http.client.HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                watch(self.sock)

        class Handler(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(Connection, req)

        class SecureHandler(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(SecureConnection, req)

        return urllib.request.build_opener(Handler, SecureHandler)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _is_timeout(exc: BaseException) -> bool:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, TimeoutError)


def _decoded(body: bytes, encoding: str, url: str) -> bytes:
    """The body, gunzipped when it says so: never more than MAX_BYTES of it (issue 14: a
    1 MB answer may expand to gigabytes)."""
    if encoding.strip().lower() != "gzip":
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    try:
        data = inflater.decompress(body, MAX_BYTES + 1)
    except zlib.error as exc:
        raise DigestSourceError(f"{url} sent a damaged gzip body ({exc})") from exc
    if len(data) > MAX_BYTES:
        raise DigestSourceError(
            f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB once decompressed"
        )
    if not inflater.eof:
        raise DigestSourceError(f"{url} sent a damaged gzip body (it ends too early)")
    return data


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
