"""Answering with a generated document: the cache or a build, then its preconditions.

The document is found or built before any precondition is evaluated: its validators
follow its bytes, and a request that cannot be answered (``?page=999``) is refused
with a 400 whatever its ``If-Modified-Since`` says (issue 14).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from flask import Response, abort, redirect, request

from feeds.archive.entry import Entry
from feeds.catalog import Catalog
from feeds.catalog.selection import ALL, RedirectToCanonical, Selection, resolve
from feeds.documents.feed import FeedParams, parse_params
from feeds.errors import InvalidQueryError, UnknownSelectionError
from webapp.caching import (
    NOT_MODIFIED,
    PRECONDITION_FAILED,
    Answer,
    Validators,
    accepts_gzip,
    body_etag,
    document_response,
    make_document,
    not_modified_response,
    precondition,
)
from webapp.fastpath import REPLAY_MARK, request_key
from webapp.site import catalog, site

#: Views that answer exactly what :func:`serve` returns, whatever the request carries
#: beside its URL, so :mod:`webapp.fastpath` may replay their answers below Flask.
REPLAYABLE = frozenset(
    {"feeds.feed", "feeds.opml", "pages.home", "pages.selection_page", "pages.entry_page"}
)

#: ``(body, content_type)``, or with the entries the document shows, whose files' times
#: make its Last-Modified (without them: the archive's newest change).
Built = tuple[bytes, str] | tuple[bytes, str, Sequence[Entry]]


def serve(key: str, build: Callable[[], Built]) -> Response:
    """The document named by ``key`` (its canonical absolute URL), conditionally.

    ``build`` runs only when the cache has no answer for this archive version; it may
    abort (a 400 for a page past the last) before any precondition is looked at.
    """
    current = catalog()
    here = site()
    answer = here.cache.find(key, current.version)
    if answer is None:
        answer = _answer(current, key, build())
        here.cache.put(key, answer)
    if request.endpoint in REPLAYABLE:
        here.memo.put(request_key(request.environ, current.version), key)
    return _respond(answer)


def answer_again() -> Response | None:
    """``before_request``: a URL answered before, for this archive version, is answered
    from the cache before its view resolves, parses or formats anything (issue 7). The
    fast path (:mod:`webapp.fastpath`) answers it below Flask once it has seen the same
    outcome (200 or 304, identity or gzip) sent once."""
    if request.endpoint not in REPLAYABLE or request.method not in ("GET", "HEAD"):
        return None
    current = catalog()
    here = site()
    key = here.memo.peek(request_key(request.environ, current.version))
    answer = None if key is None else here.cache.find(key, current.version)
    if answer is None:
        return None  # the view answers, and serve() remembers the URL
    return _respond(answer)


def _respond(answer: Answer) -> Response:
    environ = request.environ
    gzipped = accepts_gzip(environ)
    outcome = precondition(environ, answer.validators, gzipped)
    if outcome == PRECONDITION_FAILED:
        abort(412, description="the document does not match If-Match or If-Unmodified-Since")
    if request.endpoint in REPLAYABLE and request.method in ("GET", "HEAD"):
        environ[REPLAY_MARK] = (answer, gzipped)
    if outcome == NOT_MODIFIED:
        return not_modified_response(answer.validators, gzipped)
    return document_response(answer.document, answer.validators, gzipped)


def _answer(current: Catalog, key: str, built: Built) -> Answer:
    """The answer for a newly built document, its validators following its bytes.

    Last-Modified is the newest modification time of the files its entries come from
    (issue 14: not the whole archive's). Within a process it only moves when the bytes
    change: an unchanged document keeps the last one, and one that changed although its
    entries' files did not (an entry left it) takes the archive's newest change.
    """
    body, content_type, *shown = built
    document = make_document(body, content_type)
    etag = body_etag(body)
    previous = site().cache.previous(key)
    if previous is not None and previous.validators.etag == etag:
        return Answer(current.version, previous.validators, document, _endpoint())
    modified = _newest_change(current, shown[0] if shown else None)
    if previous is not None:
        last = int(previous.validators.last_modified.timestamp())
        if modified <= last:
            modified = max(last, current.archive.modified)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    stamp = dt.datetime.fromtimestamp(min(modified, now), dt.UTC)
    return Answer(current.version, Validators(etag, stamp, site().max_age), document, _endpoint())


def _endpoint() -> str:
    return request.endpoint or ""


def _newest_change(current: Catalog, entries: Iterable[Entry] | None) -> int:
    """Unix seconds: the newest modification time of the files holding ``entries``; the
    archive's newest change when the document names no entries of its own."""
    paths = {entry.source.path for entry in entries or ()}
    if not paths:
        return current.archive.modified
    directory = site().store.loader.directory
    memo = site().memo
    newest = 0
    for path in paths:
        mtime: int = memo.get(("mtime", current.version, path), partial(_mtime, directory, path))
        newest = max(newest, mtime)
    return newest


def _mtime(directory: os.PathLike[str], path: str) -> int:
    try:
        return int(os.stat(os.path.join(directory, path)).st_mtime)
    except OSError:  # gone since the catalog was read: a change as new as any
        return int(dt.datetime.now(dt.UTC).timestamp())


def selection_or_abort(
    kind: str, slug: str, canonical_url: Callable[[Selection], str]
) -> Selection:
    """Look the slug up: 404 saying what exists, or 301 to the canonical spelling."""
    if kind == "all":
        return ALL
    current = catalog()
    try:
        selection: Selection = site().memo.get(
            ("selection", current.version, kind, slug),
            lambda: resolve(current, kind, slug.lower()),
        )
    except RedirectToCanonical as moved:
        abort(redirect(_with_query(canonical_url(moved.selection)), 301))
    except UnknownSelectionError as exc:
        abort(404, description=str(exc))
    if selection.slug != slug:
        abort(redirect(_with_query(canonical_url(selection)), 301))
    return selection


def params_or_abort(current: Catalog) -> FeedParams:
    """The request's validated parameters, parsed once per query string and version."""
    try:
        params: FeedParams = site().memo.get(
            ("params", current.version, request.query_string),
            lambda: parse_params(
                request.args.to_dict(flat=False),
                current,
                default_limit=site().page_size,
                max_limit=site().max_page_size,
            ),
        )
    except InvalidQueryError as exc:
        abort(400, description=str(exc))
    return params


def _with_query(url: str) -> str:
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url
