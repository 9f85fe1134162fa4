"""``/embed/…`` and ``/syndicate``: our headlines on partners' pages (issue 5).

Partners paste a ``<div>`` and the widget script, or an iframe where their site allows
no third-party scripts; ``/syndicate`` writes either snippet for them.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, Response, abort, render_template, request

from feeds.catalog import Catalog
from feeds.catalog.selection import ALL, SELECTION_PATH, RedirectToCanonical, Selection, resolve
from feeds.documents.directory import GROUP_NAMES, listings
from feeds.documents.feed import FeedParams, parse_params, select_page
from feeds.errors import InvalidQueryError, UnknownSelectionError
from webapp.documents import serve
from webapp.pages import HTML_CONTENT_TYPE, page_context
from webapp.site import catalog, site, urls

bp = Blueprint("embed", __name__)

WIDGET_FILE = Path(__file__).parent / "static" / "headlines.js"
WIDGET_CONTENT_TYPE = "application/javascript; charset=utf-8"
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
#: ``all``, ``country/mexico``…, optionally with filters: ``topic/health?q=vaccine``.
FEED_SPEC = re.compile(rf"({SELECTION_PATH})(?:[?&](.*))?", re.DOTALL)
FILTERS = ("q", "country", "topic", "since")
FEED_SPEC_HELP = (
    "feed must be all, country/<name>, topic/<slug> or region/<slug>, "
    "optionally followed by ?q=, country=, topic= or since= filters"
)
#: The iframe page may be framed anywhere; it loads nothing but its one script, which
#: tells the framing page its height (issue 17).
IFRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)
#: ``summary=``: README's ``true``, and the spellings the page has always taken.
SUMMARY_VALUES = {"true": True, "1": True, "false": False, "0": False}


@bp.get("/embed/headlines.js")
def widget_script() -> Response:
    """Cached briefly, so partners' pages pick up a fix within minutes, and revalidated."""
    body, modified = _widget()
    response = Response(body, content_type=WIDGET_CONTENT_TYPE)
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = site().max_age
    response.add_etag()
    response.make_conditional(request)  # in place: 304, or 200 as it is
    return response


@cache
def _widget() -> tuple[bytes, dt.datetime]:
    modified = dt.datetime.fromtimestamp(int(WIDGET_FILE.stat().st_mtime), dt.UTC)
    return WIDGET_FILE.read_bytes(), modified


@bp.get("/embed/headlines")
def headlines_page() -> Response:
    """The widget as a self-contained page, for sites that forbid third-party scripts."""
    current = catalog()
    selection, params = _feed_or_abort(current)
    summary = _summary_or_abort()
    site_urls = urls()
    query = [("feed", feed_spec(selection, params)), ("limit", str(params.limit))]
    if summary:
        query.append(("summary", "true"))

    def build() -> tuple[bytes, str]:
        page = select_page(current, selection, params)
        html = render_template(
            "embed_headlines.html",
            entries=page.entries,
            summary=summary,
            title=f"{site().info.title} — {selection.name}",
            page_url=site_urls.page(selection.path, params.filters),
            **page_context(site_urls),
        )
        return html.encode(), HTML_CONTENT_TYPE

    response = serve(site_urls.embed("headlines", query), build)
    response.headers["Content-Security-Policy"] = IFRAME_CSP
    return response


@bp.get("/syndicate")
def syndicate() -> Response:
    site_urls = urls()
    current = catalog()

    def build() -> tuple[bytes, str]:
        groups = [
            (GROUP_NAMES[group], items) for group, items in listings(current).items() if items
        ]
        script_url = site_urls.embed("headlines.js")
        iframe_url = site_urls.embed("headlines")
        html = render_template(
            "syndicate.html",
            groups=groups,
            limit=DEFAULT_LIMIT,
            max_limit=MAX_LIMIT,
            script_url=script_url,
            iframe_url=iframe_url,
            # The preview loads the widget from this very host, whatever FEEDS_BASE_URL says,
            # so the page's own CSP ('self') lets it run.
            # Path-absolute under the base URL's path, so that the static export's copy
            # finds it too (/press/embed/headlines.js).
            preview_script=urlsplit(site_urls.embed("headlines.js")).path,
            first_iframe=f"{iframe_url}?{urlencode({'feed': 'all', 'limit': DEFAULT_LIMIT})}",
            selection=ALL,
            feed_params=(),
            **page_context(site_urls),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(site_urls.syndicate(), build)


def _summary_or_abort() -> bool:
    values = request.args.getlist("summary")
    if len(values) > 1:
        abort(400, description=f"summary is given {len(values)} times; give it once")
    if not values:
        return False
    if values[0] not in SUMMARY_VALUES:
        abort(400, description=f"summary must be true or false, not '{values[0][:40]}'")
    return SUMMARY_VALUES[values[0]]


def feed_spec(selection: Selection, params: FeedParams) -> str:
    """The canonical ``feed=`` value: ``country/mexico?q=water``."""
    return selection.path + (f"?{urlencode(params.filters)}" if params.filters else "")


def _feed_or_abort(current: Catalog) -> tuple[Selection, FeedParams]:
    """``feed=`` and ``limit=`` checked like a feed's own URL; 400 saying what is wrong."""
    match = FEED_SPEC.fullmatch(request.args.get("feed", "all"))
    if match is None:
        abort(400, description=FEED_SPEC_HELP)
    path, filters = match.groups()
    kind, _, slug = path.partition("/")
    args = parse_qs(filters or "", keep_blank_values=True)
    if "limit" in args or "page" in args:
        abort(400, description="give limit= beside feed=, not inside it")
    args["limit"] = request.args.getlist("limit")
    for name in FILTERS:  # ``feed=all&topic=health`` as well as ``feed=all%26topic=health``
        args.setdefault(name, []).extend(request.args.getlist(name))
    try:
        selection = ALL if kind == "all" else _selection(current, kind, slug.lower())
        params = parse_params(args, current, default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT)
    except (UnknownSelectionError, InvalidQueryError) as exc:
        abort(400, description=str(exc))
    return selection, params


def _selection(current: Catalog, kind: str, slug: str) -> Selection:
    try:
        return resolve(current, kind, slug)
    except RedirectToCanonical as moved:  # ``country/mx``: show Mexico, no redirect needed
        return moved.selection
