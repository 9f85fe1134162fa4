"""Answering with a generated document: validators first, then the cache, then build."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, abort, redirect, request

from feeds.catalog import Catalog
from feeds.catalog.selection import ALL, RedirectToCanonical, Selection, resolve
from feeds.documents.feed import FeedParams, parse_params
from feeds.errors import InvalidQueryError, UnknownSelectionError
from webapp.caching import (
    Answer,
    Document,
    Validators,
    accepts_gzip,
    document_response,
    etag_for,
    make_document,
    not_modified,
)
from webapp.site import catalog, site

#: Views that answer exactly what :func:`serve` returns (they add no header after it), so
#: their answer to a URL can be given again without running them: see :func:`answer_again`.
REPLAYABLE = frozenset(
    {"feeds.feed", "feeds.opml", "pages.home", "pages.selection_page", "pages.entry_page"}
)


def serve(key: str, build: Callable[[], tuple[bytes, str]]) -> Response:
    """The document named by ``key`` (its canonical absolute URL), conditionally.

    ``build`` returns ``(body, content_type)`` and runs only when neither the client's
    copy nor the cache is current. Answering again is a cache lookup: the validators'
    header values are kept with the document.
    """
    current = catalog()
    here = site()
    answer = here.cache.answer(
        current.version, key, lambda: _validators(current, key, here.max_age)
    )
    response = _respond(answer, lambda: make_document(*build()))
    if answer.document is not None and request.endpoint in REPLAYABLE:
        here.memo.put(_request_key(current), key)
    return response


def answer_again() -> Response | None:
    """``before_request``: a URL answered before, for this archive version, is answered
    from the cache before its view resolves, parses or formats anything (issue 7)."""
    if request.endpoint not in REPLAYABLE or request.method not in ("GET", "HEAD"):
        return None
    current = catalog()
    here = site()
    key = here.memo.peek(_request_key(current))
    answer = None if key is None else here.cache.find(current.version, key)
    if answer is None or answer.document is None:
        return None  # the view answers, and serve() remembers the URL
    document = answer.document
    return _respond(answer, lambda: document)


def _respond(answer: Answer, build: Callable[[], Document]) -> Response:
    environ = request.environ
    gzipped = accepts_gzip(environ)
    unchanged = not_modified(environ, answer.validators, gzipped)
    if unchanged is not None:
        return unchanged
    document = site().cache.document(answer, build)
    return document_response(document, answer.validators, gzipped)


def _request_key(current: Catalog) -> tuple[object, ...]:
    """What a replayable view's answer depends on: the archive version and the URL as
    asked, host included (it is the base of every link unless FEEDS_BASE_URL is set)."""
    environ = request.environ
    return ("replay", current.version, *map(environ.get, _URL_PARTS))


_URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
              "PATH_INFO", "QUERY_STRING")  # fmt: skip


def _validators(current: Catalog, key: str, max_age: int) -> Validators:
    modified = dt.datetime.fromtimestamp(current.archive.modified, dt.UTC)
    return Validators(etag_for(current.version, key), modified, max_age)


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
