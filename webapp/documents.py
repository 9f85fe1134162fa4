"""Answering with a generated document: validators first, then the cache, then build."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, abort, redirect, request

from feeds.catalog import Catalog
from feeds.errors import InvalidQueryError, UnknownSelectionError
from feeds.feedbuild import FeedParams, parse_params
from feeds.selection import ALL, RedirectToCanonical, Selection, resolve
from webapp.caching import (
    Validators,
    accepts_gzip,
    document_response,
    etag_for,
    make_document,
    not_modified,
)
from webapp.site import catalog, site


def serve(key: str, build: Callable[[], tuple[bytes, str]]) -> Response:
    """The document named by ``key`` (its canonical absolute URL), conditionally.

    ``build`` returns ``(body, content_type)`` and runs only when neither the client's
    copy nor the cache is current.
    """
    current = catalog()
    modified = dt.datetime.fromtimestamp(current.archive.modified, dt.UTC)
    validators = Validators(etag_for(current.version, key), modified, site().max_age)
    gzipped = accepts_gzip(request)
    unchanged = not_modified(request, validators, gzipped)
    if unchanged is not None:
        return unchanged
    document = site().cache.get_or_build(
        f"{current.version}\0{key}", lambda: make_document(*build())
    )
    return document_response(document, validators, gzipped)


def selection_or_abort(kind: str, slug: str, canonical_url: Callable[[Selection], str]) -> Selection:
    """Look the slug up: 404 saying what exists, or 301 to the canonical spelling."""
    if kind == "all":
        return ALL
    try:
        selection = resolve(catalog(), kind, slug.lower())
    except RedirectToCanonical as moved:
        abort(redirect(_with_query(canonical_url(moved.selection)), 301))
    except UnknownSelectionError as exc:
        abort(404, description=str(exc))
    if selection.slug != slug:
        abort(redirect(_with_query(canonical_url(selection)), 301))
    return selection


def params_or_abort(current: Catalog) -> FeedParams:
    try:
        return parse_params(
            request.args.to_dict(flat=False), current,
            default_limit=site().page_size, max_limit=site().max_page_size,
        )
    except InvalidQueryError as exc:
        abort(400, description=str(exc))


def _with_query(url: str) -> str:
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url
