"""HTTP caching for generated documents (RFC 9110 section 13, RFC 9111).

A document's strong ETag is derived from the archive version and its canonical URL, so
a conditional request is answered 304 before anything is built, and a repeated request
is served from an in-memory LRU of finished bodies (identity and gzip).

The LRU keeps, per (archive version, canonical URL), the validators with their header
values already formatted, so answering again (200 or 304) hashes, parses and formats
nothing (issue 7: a repeated request must cost about what serving a file costs).
"""

from __future__ import annotations

import contextlib
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
from werkzeug.http import http_date, is_resource_modified, parse_accept_header


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


@dataclass(slots=True)
class Answer:
    """What the cache holds for one document of one archive version."""

    validators: Validators
    document: Document | None = None


class AnswerCache:
    """A small thread-safe LRU: (archive version, canonical key) → :class:`Answer`."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, version: str, key: str, validators: Callable[[], Validators]) -> Answer:
        """The cached answer, or a new one (without a document yet) remembered from now."""
        found = self.find(version, key)
        if found is not None:
            return found
        cache_key = (version, key)
        made = Answer(validators())
        if self.max_entries:
            with self._lock:
                made = self._items.setdefault(cache_key, made)
                while len(self._items) > self.max_entries:
                    self._items.popitem(last=False)
        return made

    def find(self, version: str, key: str) -> Answer | None:
        """The cached answer, if there is one; creates nothing."""
        cache_key = (version, key)
        found = self._items.get(cache_key)  # each OrderedDict call is atomic: no lock to read
        if found is not None:
            with contextlib.suppress(KeyError):  # evicted by another thread meanwhile
                self._items.move_to_end(cache_key)
        return found

    def document(self, answer: Answer, build: Callable[[], Document]) -> Document:
        """The answer's document, built now if it has none (two racing requests both build)."""
        found = answer.document
        if found is None:
            found = build()
            if self.max_entries:
                answer.document = found  # one reference assignment: readers see None or it
        return found


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


def make_document(body: bytes, content_type: str) -> Document:
    """Compress once, deterministically (no timestamp), so both variants are cached."""
    return Document(body, gzip.compress(body, compresslevel=6, mtime=0), content_type)


def etag_for(version: str, key: str) -> str:
    return hashlib.sha1(f"{version}\0{key}".encode()).hexdigest()[:24]


#: What ``Response(status=304)`` starts with (werkzeug drops it from the 304 it sends).
_HTML_TYPE = ("Content-Type", "text/html; charset=utf-8")


def accepts_gzip(environ: dict[str, Any]) -> bool:
    return _gzip_acceptable(environ.get("HTTP_ACCEPT_ENCODING", ""))


@lru_cache(maxsize=256)
def _gzip_acceptable(header: str) -> bool:
    """Clients send a handful of distinct Accept-Encoding values: parse each once."""
    return "gzip" in header and parse_accept_header(header)["gzip"] > 0


def not_modified(environ: dict[str, Any], validators: Validators, gzipped: bool) -> Response | None:
    """A 304 when the client's copy is current, decided without building anything."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if_match = "HTTP_IF_MATCH" in environ
    if if_none_match is None and not if_match and "HTTP_IF_MODIFIED_SINCE" not in environ:
        return None  # not a conditional request
    etag_header = validators.gzip_etag_header if gzipped else validators.etag_header
    # The usual revalidation sends back exactly the ETag we sent: no parsing needed.
    # Anything else (lists, W/, *, dates, If-Match) gets werkzeug's full comparison.
    unchanged = if_none_match == etag_header and not if_match
    if not unchanged and is_resource_modified(
        environ, etag=_etag(validators.etag, gzipped), last_modified=validators.last_modified
    ):
        return None
    # Headers in the order werkzeug would set them, given at once: each later
    # ``headers[name] = value`` would scan the list again.
    return Response(status=304, headers=[_HTML_TYPE, *_caching_headers(validators, gzipped)])


def document_response(document: Document, validators: Validators, gzipped: bool) -> Response:
    body = document.gzipped if gzipped else document.body
    headers = [("Content-Type", document.content_type), ("Content-Length", str(len(body)))]
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return Response(body, headers=[*headers, *_caching_headers(validators, gzipped)])


def _etag(etag: str, gzipped: bool) -> str:
    # Strong validators must differ between content codings (RFC 9110 section 8.8.3.3).
    return f"{etag}-gz" if gzipped else etag


def _caching_headers(validators: Validators, gzipped: bool) -> list[tuple[str, str]]:
    return [
        ("ETag", validators.gzip_etag_header if gzipped else validators.etag_header),
        ("Last-Modified", validators.last_modified_header),
        ("Cache-Control", validators.cache_control_header),
        ("Vary", "Accept-Encoding"),
    ]
