"""HTML pages: the home page, all news, one page per selection, entry permalinks, health."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template
from jinja2 import TemplateNotFound
from werkzeug.wrappers import Response as BaseResponse

from feeds.archive.entry import Entry
from feeds.catalog import Catalog
from feeds.catalog.selection import ALL, ROUTE_KINDS, Selection, resolve, selection_keys
from feeds.catalog.stats import monthly_counts, recent_months
from feeds.classify.countries import country_by_code
from feeds.documents.directory import GROUP_NAMES, listings
from feeds.documents.feed import FeedParams, select_page
from feeds.errors import InvalidQueryError
from feeds.prose import in_prose
from feeds.render import FORMATS
from feeds.urls import SiteUrls
from webapp import wording
from webapp.documents import Built, params_or_abort, selection_or_abort, serve
from webapp.site import catalog, site, urls

bp = Blueprint("pages", __name__)

#: The URL builder of a listing page: its parameters → its URL.
PageUrl = Callable[[Sequence[tuple[str, str]]], str]

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
LATEST_HEADLINES = 10
#: The e-mail sign-up form partial of the subscriptions issue (16), when it exists.
SIGNUP_TEMPLATE = "_signup.html"
#: Web feed readers that subscribe from a link: name → URL prefix for the feed's URL.
READERS = (
    ("Feedly", "https://feedly.com/i/subscription/feed/"),
    ("Inoreader", "https://www.inoreader.com/?add_feed="),
    ("NewsBlur", "https://www.newsblur.com/?url="),
    ("The Old Reader", "https://theoldreader.com/feeds/subscribe?url="),
)


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
            **page_context(site_urls, current),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(site_urls.home(), build)


@bp.get("/news")
def news() -> Response:
    """Every entry, newest first, paged like ``/feeds/all.atom``."""
    site_urls = urls()
    return _selection_response(ALL, lambda params: site_urls.news(params))


@bp.get(f"/<{ROUTE_KINDS}:kind>/<slug>")
def selection_page(kind: str, slug: str) -> Response:
    site_urls = urls()
    selection = selection_or_abort(kind, slug, lambda s: site_urls.page(s.path))
    return _selection_response(selection, lambda params: site_urls.page(selection.path, params))


def _selection_response(selection: Selection, url: PageUrl) -> Response:
    site_urls = urls()
    current = catalog()
    params = params_or_abort(current)
    key = url(params.link_params(params.page, site().page_size))

    def build() -> Built:
        try:
            page = select_page(current, selection, params)
        except InvalidQueryError as exc:
            abort(400, description=str(exc))
        html = render_template(
            "selection.html",
            selection=selection,
            page=page,
            page_url=lambda number: url(params.link_params(number, site().page_size)),
            filters=wording.active_filters(current, params.filters, url),
            clear_all=url(()),
            feed_params=params.filters,
            subscribe=subscribe_panel(site_urls, selection, params),
            **page_context(site_urls, current, selection),
        )
        return html.encode(), HTML_CONTENT_TYPE, page.entries  # its Last-Modified

    return serve(key, build)


@bp.get(f"/<{ROUTE_KINDS}:kind>/")
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
        newer, older = neighbours(current, entry)
        home_selection = entry_home(current, entry)
        html = render_template(
            "entry.html",
            entry=entry,
            selection=ALL,
            feed_params=(),
            newer=newer,
            older=older,
            crumb=home_selection,
            prompts=subscribe_prompts(current, entry),
            article=article_data(entry, site_urls, current),
            **page_context(site_urls, current),
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


def neighbours(current: Catalog, entry: Entry) -> tuple[Entry | None, Entry | None]:
    """The entries listed just before (newer) and after (older) ``entry``."""
    keys = current.keys
    at = bisect.bisect_left(keys, current.by_id[entry.id])
    newer = current.entry_at(keys[at - 1]) if at > 0 else None
    older = current.entry_at(keys[at + 1]) if at + 1 < len(keys) else None
    return newer, older


def entry_home(current: Catalog, entry: Entry) -> Selection:
    """Where the breadcrumbs lead: the entry's first country by name, else its first topic,
    else all news."""
    if entry.countries:
        code = min(entry.countries, key=lambda c: country_by_code(c).name)
        return resolve(current, "country", country_by_code(code).slug)
    if entry.topics:
        return resolve(current, "topic", sorted(entry.topics)[0])
    return ALL


def subscribe_prompts(current: Catalog, entry: Entry) -> list[Selection]:
    """ "Subscribe to Mexico": the entry's countries, then its topics, by name."""
    countries = [country_by_code(code).slug for code in entry.countries]
    found = sorted((resolve(current, "country", slug) for slug in countries), key=lambda s: s.name)
    topics = [resolve(current, "topic", slug) for slug in entry.topics]
    return found + sorted(topics, key=lambda s: s.name)


def article_data(entry: Entry, site_urls: SiteUrls, current: Catalog) -> dict[str, object]:
    """schema.org ``NewsArticle`` of an entry page (https://schema.org/NewsArticle)."""
    publisher = {"@type": "Organization", "name": site().info.title, "url": site_urls.home()}
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": entry.title[:110],
        "description": entry.summary[0] if entry.summary else entry.title,
        "datePublished": entry.date.isoformat(),
        "url": site_urls.entry(entry.id),
        "mainEntityOfPage": site_urls.entry(entry.id),
        "inLanguage": site().info.language,
        "author": publisher,
        "publisher": publisher,
        "about": [c.name for c in wording.entry_chips(current, site_urls, entry)],
    }


def subscribe_panel(
    site_urls: SiteUrls, selection: Selection, params: FeedParams
) -> dict[str, object]:
    """What the subscribe panel offers: each format's URL, web readers, sign-up, widget."""
    feeds = [
        (format.name, site_urls.feed(selection.path, format.extension, params.filters))
        for format in FORMATS.values()
    ]
    atom = feeds[0][1]
    return {
        "feeds": feeds,
        "readers": [(name, prefix + atom) for name, prefix in READERS],
        "signup": has_signup(),
        "widget": site_urls.syndicate() + f"#feed={selection.path}",
    }


def has_signup() -> bool:
    try:
        current_app.jinja_env.get_template(SIGNUP_TEMPLATE)
    except TemplateNotFound:
        return False
    return True


def page_context(
    site_urls: SiteUrls, current: Catalog | None = None, page: Selection | None = None
) -> dict[str, object]:
    """Template values every page uses."""
    found = current or catalog()
    return {
        "site_title": site().info.title,
        "language": site().info.language,
        "urls": site_urls,
        "formats": list(FORMATS.values()),
        "country_name": lambda code: country_by_code(code).name,
        "country_slug": lambda code: country_by_code(code).slug,
        "topic_name": found.taxonomy.name_of,
        "chips": lambda entry: wording.entry_chips(found, site_urls, entry, page),
        "about": wording.about,
        "in_prose": in_prose,
        "json_for_script": wording.json_for_script,
    }
