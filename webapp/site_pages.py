"""What crawlers and browsers ask every site for: ``sitemap.xml``, ``robots.txt``,
``favicon.ico``, and HTML error pages for people (issue 17).

Feeds, OPML, JSON and the widget keep their one-line plain-text errors; a browser that
asks for HTML on a page URL gets a page with the site's header and somewhere to go.
"""

from __future__ import annotations

from flask import Blueprint, Request, Response, render_template, send_from_directory
from werkzeug.exceptions import HTTPException

from feeds.catalog.selection import ALL
from feeds.documents.directory import listings
from webapp.documents import serve
from webapp.pages import HTML_CONTENT_TYPE, page_context
from webapp.site import catalog, urls

bp = Blueprint("site_pages", __name__)

SITEMAP_CONTENT_TYPE = "application/xml; charset=utf-8"
#: URL prefixes and endings that are data, never pages: their errors stay plain text.
DATA_PREFIXES = ("/feeds/", "/feeds.opml", "/embed/", "/healthz", "/static/", "/digest/")
DATA_SUFFIXES = (".atom", ".rss", ".json", ".opml", ".xml", ".txt", ".js", ".css", ".ico")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page and entry (https://www.sitemaps.org/protocol.html)."""
    site_urls = urls()
    current = catalog()

    def build() -> tuple[bytes, str]:
        pages = [site_urls.home(), site_urls.news(), site_urls.syndicate()]
        for group, items in listings(current).items():
            if group != "all":
                pages += [site_urls.page(item.selection.path) for item in items]
        xml = render_template("sitemap.xml", pages=pages, entries=current.entries, urls=site_urls)
        return xml.encode(), SITEMAP_CONTENT_TYPE

    return serve(site_urls.site_file("sitemap.xml"), build)


@bp.get("/robots.txt")
def robots() -> Response:
    site_urls = urls()
    text = (
        "User-agent: *\nDisallow: /embed/\nDisallow: /digest/\nDisallow: /search\n"
        f"Sitemap: {site_urls.site_file('sitemap.xml')}\n"
    )
    return serve(
        site_urls.site_file("robots.txt"), lambda: (text.encode(), "text/plain; charset=utf-8")
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    from flask import current_app

    return send_from_directory(current_app.static_folder or "static", "favicon.ico")


def wants_page(request: Request) -> bool:
    """Whether an error should be an HTML page: a page URL asked for by a browser."""
    path = request.path
    if path.startswith(DATA_PREFIXES) or path.endswith(DATA_SUFFIXES):
        return False
    accept = request.accept_mimetypes
    return accept.accept_html and accept.best_match(["text/plain", "text/html"]) == "text/html"


def error_page(error: HTTPException) -> Response:
    site_urls = urls()
    html = render_template(
        "error.html",
        error=error,
        selection=ALL,
        feed_params=(),
        **page_context(site_urls),
    )
    response = Response(html, status=error.code or 500, content_type=HTML_CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
