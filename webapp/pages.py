"""HTML pages: the home page, one page per selection, entry permalinks, health."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template
from werkzeug.wrappers import Response as BaseResponse

from feeds.catalog.selection import ALL, selection_keys
from feeds.catalog.stats import monthly_counts, recent_months
from feeds.classify.countries import country_by_code
from feeds.documents.directory import GROUP_NAMES, listings
from feeds.documents.feed import select_page
from feeds.errors import InvalidQueryError
from feeds.render import FORMATS
from feeds.urls import SiteUrls
from webapp.documents import params_or_abort, selection_or_abort, serve
from webapp.site import catalog, site, urls

bp = Blueprint("pages", __name__)

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
LATEST_HEADLINES = 10


@bp.get("/")
def home() -> Response:
    site_urls = urls()
    current = catalog()

    def build() -> tuple[bytes, str]:
        months = recent_months(current)
        groups = [
            (
                group,
                GROUP_NAMES[group],
                [
                    (item, monthly_counts(current, selection_keys(current, item.selection), months))
                    for item in items
                ],
            )
            for group, items in listings(current).items()
            if items
        ]
        html = render_template(
            "home.html",
            groups=groups,
            latest=current.entries[:LATEST_HEADLINES],
            selection=ALL,
            feed_params=(),
            months=months,
            **page_context(site_urls),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(site_urls.home(), build)


@bp.get("/<any(country, topic, region):kind>/<slug>")
def selection_page(kind: str, slug: str) -> Response:
    site_urls = urls()
    selection = selection_or_abort(kind, slug, lambda s: site_urls.page(s.path))
    current = catalog()
    params = params_or_abort(current)
    key = site_urls.page(selection.path, params.link_params(params.page, site().page_size))

    def build() -> tuple[bytes, str]:
        try:
            page = select_page(current, selection, params)
        except InvalidQueryError as exc:
            abort(400, description=str(exc))

        def page_url(number: int) -> str:
            return site_urls.page(selection.path, params.link_params(number, site().page_size))

        html = render_template(
            "selection.html",
            selection=selection,
            page=page,
            page_url=page_url,
            feed_params=params.filters,
            **page_context(site_urls),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(key, build)


@bp.get("/<any(country, topic, region):kind>/")
def selection_index(kind: str) -> BaseResponse:
    return redirect(urls().home() + f"#{kind}", 302)


@bp.get("/entries/<entry_id>")
def entry_page(entry_id: str) -> Response:
    site_urls = urls()
    current = catalog()
    entry = current.entry(entry_id)
    if entry is None:
        abort(404, description=f"no entry '{entry_id[:100]}'; the home page lists the latest")

    def build() -> tuple[bytes, str]:
        html = render_template(
            "entry.html",
            entry=entry,
            selection=ALL,
            feed_params=(),
            topic_name=lambda slug: current.taxonomy.by_slug(slug).name,
            **page_context(site_urls),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(site_urls.entry(entry.id), build)


@bp.get("/healthz")
def healthz() -> Response:
    current = catalog()
    archive = current.archive
    response = jsonify(
        status="ok",
        entries=len(archive.entries),
        version=archive.version,
        files=len(archive.files),
        errors=archive.error_count,
        warnings=archive.warning_count,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def page_context(site_urls: SiteUrls) -> dict[str, object]:
    """Template values every page uses."""
    return {
        "site_title": site().info.title,
        "language": site().info.language,
        "urls": site_urls,
        "formats": list(FORMATS.values()),
        "country_name": lambda code: country_by_code(code).name,
        "country_slug": lambda code: country_by_code(code).slug,
    }
