"""``/feeds/…``: every feed in every format, and the OPML list of them."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from feeds.catalog.selection import ROUTE_KINDS
from feeds.documents.directory import opml_document
from feeds.documents.feed import FeedRequest, build_feed
from feeds.errors import InvalidQueryError
from feeds.render import FORMATS, OPML_CONTENT_TYPE
from webapp.documents import Built, params_or_abort, selection_or_abort, serve
from webapp.site import catalog, site, urls

bp = Blueprint("feeds", __name__)

EXTENSIONS = "any(atom, rss, json)"


@bp.get(f"/feeds/all.<{EXTENSIONS}:extension>", defaults={"kind": "all", "slug": ""})
@bp.get(f"/feeds/<{ROUTE_KINDS}:kind>/<slug>.<{EXTENSIONS}:extension>")
def feed(kind: str, slug: str, extension: str) -> Response:
    site_urls = urls()
    selection = selection_or_abort(kind, slug, lambda s: site_urls.feed(s.path, extension))
    current = catalog()
    params = params_or_abort(current)
    key = site_urls.feed(
        selection.path, extension, params.link_params(params.page, site().page_size)
    )

    def build() -> Built:
        asked = FeedRequest(current, selection, params, site().info, site_urls, site().page_size)
        body = build_feed(asked, extension)
        return body, FORMATS[extension].content_type, asked.page.entries  # its Last-Modified

    try:
        return serve(key, build)
    except InvalidQueryError as exc:  # a page past the last one
        abort(400, description=str(exc))


@bp.get("/feeds.opml")
def opml() -> Response:
    site_urls = urls()
    current = catalog()

    def build() -> tuple[bytes, str]:
        return opml_document(current, site().info, site_urls), OPML_CONTENT_TYPE

    return serve(site_urls.opml(), build)


@bp.get("/feeds/<path:anything>")
def unknown_feed(anything: str) -> Response:
    abort(
        404,
        description=(
            f"no feed at /feeds/{anything}; feeds are /feeds/all.atom, "
            "/feeds/country/<name>.atom, /feeds/topic/<slug>.atom and /feeds/region/<slug>.atom "
            "(also .rss and .json); /feeds.opml lists them all"
        ),
    )
