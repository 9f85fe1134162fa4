"""HTTP caching for generated documents (RFC 9110 section 13, RFC 9111).

A document's strong ETag is derived from the archive version and its canonical URL, so
a conditional request is answered 304 before anything is built, and a repeated request
is served from an in-memory LRU of finished bodies (identity and gzip).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Request, Response
from werkzeug.http import http_date, is_resource_modified, parse_accept_header


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    gzipped: bytes
    content_type: str


class DocumentCache:
    """A small thread-safe LRU: canonical key → finished document."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: str, build: Callable[[], Document]) -> Document:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        document = build()
        if self.max_entries:
            with self._lock:
                self._items[key] = document
                while len(self._items) > self.max_entries:
                    self._items.popitem(last=False)
        return document


def make_document(body: bytes, content_type: str) -> Document:
    """Compress once, deterministically (no timestamp), so both variants are cached."""
    return Document(body, gzip.compress(body, compresslevel=6, mtime=0), content_type)


def etag_for(version: str, key: str) -> str:
    return hashlib.sha1(f"{version}\0{key}".encode()).hexdigest()[:24]


def accepts_gzip(request: Request) -> bool:
    header = request.headers.get("Accept-Encoding", "")
    return "gzip" in header and parse_accept_header(header)["gzip"] > 0


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str  # without quotes or encoding suffix
    last_modified: dt.datetime  # aware, whole seconds
    max_age: int


def not_modified(request: Request, validators: Validators, gzipped: bool) -> Response | None:
    """A 304 when the client's copy is current, decided without building anything."""
    etag = _etag(validators.etag, gzipped)
    if is_resource_modified(request.environ, etag=etag, last_modified=validators.last_modified):
        return None
    response = Response(status=304)
    _set_caching_headers(response, validators, gzipped)
    return response


def document_response(document: Document, validators: Validators, gzipped: bool) -> Response:
    response = Response(document.gzipped if gzipped else document.body,
                        content_type=document.content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    _set_caching_headers(response, validators, gzipped)
    return response


def _etag(etag: str, gzipped: bool) -> str:
    # Strong validators must differ between content codings (RFC 9110 section 8.8.3.3).
    return f"{etag}-gz" if gzipped else etag


def _set_caching_headers(response: Response, validators: Validators, gzipped: bool) -> None:
    response.set_etag(_etag(validators.etag, gzipped))
    response.headers["Last-Modified"] = http_date(validators.last_modified)
    response.headers["Cache-Control"] = f"public, max-age={validators.max_age}"
    response.vary.add("Accept-Encoding")

