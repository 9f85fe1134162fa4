"""HTTP caching for generated documents (RFC 9110 section 13, RFC 9111).

Validators follow the document, not the archive (issue 14): the strong ETag is a hash
of the document's bytes, so it changes exactly when they do, and Last-Modified is the
newest change among the document's own entries (see :mod:`webapp.documents`).

The :class:`AnswerCache` keeps, per canonical URL, the finished bodies (identity and
gzip) of one archive version with their validators' header values already formatted,
bounded in bytes per worker (``FEEDS_RESPONSE_CACHE_BYTES``). It also keeps the status
and headers each answer was sent with, which :mod:`webapp.fastpath` replays below Flask.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import Response
from werkzeug.http import http_date, parse_accept_header, parse_date, parse_etags

#: What one cached answer costs beside its two bodies: the key, the validators, the
#: objects and up to four replayed header lists (200 and 304, identity and gzip).
ANSWER_OVERHEAD_BYTES = 4096

#: The outcome of evaluating a request's preconditions (RFC 9110 section 13.2.2).
SEND, NOT_MODIFIED, PRECONDITION_FAILED = 200, 304, 412


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    gzipped: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str  # without quotes or encoding suffix
    last_modified: dt.datetime  # aware, whole seconds
    max_age: int
    #: Header values, formatted once: ETag (identity, gzip), Last-Modified, Cache-Control.
    etag_header: str = field(init=False)
    gzip_etag_header: str = field(init=False)
    last_modified_header: str = field(init=False)
    cache_control_header: str = field(init=False)

    def __post_init__(self) -> None:
        values = {
            "etag_header": f'"{_etag(self.etag, gzipped=False)}"',
            "gzip_etag_header": f'"{_etag(self.etag, gzipped=True)}"',
            "last_modified_header": http_date(self.last_modified),
            "cache_control_header": f"public, max-age={self.max_age}",
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)


#: (status code, gzipped) → the WSGI status line and headers as the app sent them.
Replies = dict[tuple[int, bool], tuple[str, list[tuple[str, str]]]]


@dataclass(slots=True)
class Answer:
    """One document of one archive version, as the cache holds it."""

    version: str
    validators: Validators
    document: Document
    #: The Flask endpoint that made it (metrics label replayed answers with it).
    endpoint: str = ""
    replies: Replies = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes charged against the cache's bound."""
        return len(self.document.body) + len(self.document.gzipped) + ANSWER_OVERHEAD_BYTES


class AnswerCache:
    """A thread-safe LRU, canonical key → :class:`Answer`, bounded in bytes.

    One answer per key: a new archive version's answer replaces the old one, which is
    still found by :meth:`previous` until then (its validators are compared with the
    new document's). ``max_bytes`` 0 keeps nothing.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def find(self, key: str, version: str) -> Answer | None:
        """The answer for ``key`` in this archive version, if cached (counts a hit)."""
        found = self._items.get(key)  # each OrderedDict call is atomic: no lock to read
        if found is None or found.version != version:
            return None
        self.hits += 1
        try:  # (not contextlib.suppress: a context manager per request costs a microsecond)
            self._items.move_to_end(key)
        except KeyError:  # evicted by another thread meanwhile
            return found
        return found

    def previous(self, key: str) -> Answer | None:
        """The answer cached for ``key``, whatever its version."""
        return self._items.get(key)

    def put(self, key: str, answer: Answer) -> None:
        """Remember ``answer``, evicting the least recently used beyond the bound."""
        self.misses += 1
        size = answer.size
        if size > self.max_bytes:
            return  # larger than the whole cache: answered, never kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._items[key] = answer
            self.bytes += size
            while self.bytes > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self.bytes -= evicted.size


class Memo:
    """A bounded memo for pure lookups; keys must name the archive version they depend on.

    It is emptied when full rather than kept in LRU order: its keys are few (the URLs and
    query strings clients use), and an emptied memo only costs a recomputation.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        found = self._items.get(key, self)
        if found is self:
            found = compute()
            self.put(key, found)
        return found

    def peek(self, key: Hashable) -> Any:
        """The remembered value, or ``None``."""
        return self._items.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = value


#: ``mallopt`` parameter of glibc's ``malloc.h``, and the size from which blocks get their
#: own mapping: a feed of 100 entries is 50-200 KB, its gzip copy 10-40 KB.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 64 * 1024


def return_evicted_bodies(threshold: int = MMAP_THRESHOLD_BYTES) -> None:
    """Make glibc give each large block its own mapping, returned to the system when freed.

    By default glibc raises that threshold to the size of any such block freed (up to
    32 MB), after which bodies are cut from the heap and an evicted one leaves a hole
    there: with 10,000 distinct feeds a worker grew 20% past the cache's bound in bytes
    (``bench/bench_cache_memory.py``). Elsewhere than glibc this does nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, threshold)


def make_document(body: bytes, content_type: str) -> Document:
    """Compress once, deterministically (no timestamp), so both variants are cached."""
    return Document(body, gzip.compress(body, compresslevel=6, mtime=0), content_type)


def body_etag(body: bytes) -> str:
    """The strong validator of a representation: it changes exactly when the bytes do."""
    return hashlib.sha1(body).hexdigest()[:24]


def accepts_gzip(environ: dict[str, Any]) -> bool:
    return _gzip_acceptable(environ.get("HTTP_ACCEPT_ENCODING", ""))


@lru_cache(maxsize=256)
def _gzip_acceptable(header: str) -> bool:
    """Clients send a handful of distinct Accept-Encoding values: parse each once.
    Content codings are case-insensitive (RFC 9110 section 8.4.1): ``GZIP`` is gzip."""
    return "gzip" in header.lower() and parse_accept_header(header)["gzip"] > 0


def precondition(environ: dict[str, Any], validators: Validators, gzipped: bool) -> int:
    """RFC 9110 section 13.2.2, for GET and HEAD: :data:`SEND`, :data:`NOT_MODIFIED`
    or :data:`PRECONDITION_FAILED`."""
    get = environ.get
    if_none_match = get("HTTP_IF_NONE_MATCH")
    if_match, if_unmodified = get("HTTP_IF_MATCH"), get("HTTP_IF_UNMODIFIED_SINCE")
    etag_header = validators.gzip_etag_header if gzipped else validators.etag_header
    if if_match is None and if_unmodified is None:
        if if_none_match == etag_header:  # the usual revalidation: no parsing needed
            return NOT_MODIFIED
        if if_none_match is None and "HTTP_IF_MODIFIED_SINCE" not in environ:
            return SEND  # not a conditional request
    etag = _etag(validators.etag, gzipped)
    if if_match is not None:  # step 1: strong comparison; "*": we have a representation
        tags = parse_etags(if_match)
        if not (tags.star_tag or tags.contains(etag)):
            return PRECONDITION_FAILED
    elif (since := _past_date(if_unmodified)) is not None and validators.last_modified > since:
        return PRECONDITION_FAILED  # step 2
    if if_none_match is not None:  # step 3: weak comparison
        tags = parse_etags(if_none_match)
        return NOT_MODIFIED if tags.star_tag or tags.contains_weak(etag) else SEND
    since = _past_date(get("HTTP_IF_MODIFIED_SINCE"))  # step 4
    return NOT_MODIFIED if since is not None and validators.last_modified <= since else SEND


def _past_date(value: str | None) -> dt.datetime | None:
    """An HTTP-date that is not in the future (RFC 9110 section 13.1.3: a date later than
    the server's clock is not a valid validator); anything else is ignored."""
    date = parse_date(value)
    if date is None or date > dt.datetime.now(dt.UTC):
        return None
    return date


def not_modified_response(validators: Validators, gzipped: bool) -> Response:
    # Headers in the order werkzeug would set them, given at once. Content-Type is what
    # ``Response(status=304)`` starts with (werkzeug drops it from the 304 it sends).
    headers = [("Content-Type", "text/html; charset=utf-8"), *_caching(validators, gzipped)]
    return Response(status=NOT_MODIFIED, headers=headers)


def document_response(document: Document, validators: Validators, gzipped: bool) -> Response:
    body = document.gzipped if gzipped else document.body
    headers = [("Content-Type", document.content_type), ("Content-Length", str(len(body)))]
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return Response(body, headers=[*headers, *_caching(validators, gzipped)])


def _etag(etag: str, gzipped: bool) -> str:
    # Strong validators must differ between content codings (RFC 9110 section 8.8.3.3).
    return f"{etag}-gz" if gzipped else etag


def _caching(validators: Validators, gzipped: bool) -> list[tuple[str, str]]:
    return [
        ("ETag", validators.gzip_etag_header if gzipped else validators.etag_header),
        ("Last-Modified", validators.last_modified_header),
        ("Cache-Control", validators.cache_control_header),
        ("Vary", "Accept-Encoding"),
    ]
