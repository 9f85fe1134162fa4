"""A feed request → the feed document: parameters, paging (RFC 5005) and metadata.

Pure: the web app and the static export call the same functions, so a file written by
``feeds build`` is byte for byte what the server answers for the same base URL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urlencode

from dateutil import tz

from feeds.archive.dates import parse_day
from feeds.archive.entry import Entry
from feeds.archive.ids import tag_uri
from feeds.catalog.model import Catalog, Query
from feeds.catalog.search import query_words
from feeds.catalog.selection import Selection, selection_keys
from feeds.classify.countries import country_by_code, country_named
from feeds.errors import InvalidQueryError, UnknownSelectionError
from feeds.render import FORMATS, Category, FeedInfo, FeedItem, Paging
from feeds.urls import SiteUrls

#: The year in feed tag URIs (RFC 4151 wants a date the authority was held; any fixed one).
FEED_TAG_YEAR = 2021
MAX_QUERY_CHARS = 200
MAX_LIST_VALUES = 20
SORTS = ("newest", "relevance")
#: What a browser shows of an Atom or RSS feed (webapp/static; issue 17).
FEED_STYLESHEET = "feed.css"
#: The ``updated`` of feeds when the archive is empty: a fixed day (the W3C validator
#: calls any date before 1990 implausible).
_EMPTY_ARCHIVE_DAY = dt.date(FEED_TAG_YEAR, 1, 1)
#: The time of day every entry is published at, in the newsroom's zone (README, set-up):
#: noon keeps the calendar day for every reader within 12 hours of that zone.
PUBLISHED_TIME = dt.time(12)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every feed says about the publisher, from the settings."""

    title: str
    author_name: str
    language: str
    timezone: dt.tzinfo
    tag_authority: str
    hubs: tuple[str, ...] = ()
    generator_version: str | None = None


@dataclass(frozen=True, slots=True)
class FeedParams:
    """Validated query parameters of a feed or page request."""

    query: Query
    limit: int
    page: int
    #: Canonical non-default filter parameters (no paging), in a fixed order, for links.
    filters: tuple[tuple[str, str], ...] = ()
    #: ``sort=relevance`` (issue 17): the ``q=`` hits most relevant first, not newest first.
    relevance: bool = False

    def link_params(self, page: int, default_limit: int) -> tuple[tuple[str, str], ...]:
        """Parameters of this request's URL for ``page`` (RFC 5005: first page has none)."""
        params = list(self.filters)
        if self.limit != default_limit:
            params.append(("limit", str(self.limit)))
        if page > 1:
            params.append(("page", str(page)))
        return tuple(params)


@dataclass(frozen=True, slots=True)
class PageOfEntries:
    entries: tuple[Entry, ...]
    total: int
    page: int
    pages: int


def parse_params(
    args: Mapping[str, Sequence[str]], catalog: Catalog, *, default_limit: int, max_limit: int
) -> FeedParams:
    """Validate ``args`` (name → values); raises InvalidQueryError with a one-line reason."""
    get = _single_values(args)
    limit = _integer(get("limit"), "limit", 1, max_limit, default_limit)
    page = _integer(get("page"), "page", 1, 10**9, 1)
    filters: list[tuple[str, str]] = []
    words = _words(get("q"), filters)
    countries = _slugs(get("country"), "country", _country_code, filters)
    topics = _slugs(get("topic"), "topic", lambda s: catalog.taxonomy.by_slug(s).slug, filters)
    since = _since(get("since"), filters)
    relevance = _relevance(get("sort"), words, filters)
    query = Query(frozenset(countries), frozenset(topics), words, since)
    return FeedParams(query, limit, page, tuple(filters), relevance)


def _relevance(value: str | None, words: tuple[str, ...], filters: list[tuple[str, str]]) -> bool:
    """``sort=newest`` (the default) or ``sort=relevance``, which orders only ``q=`` hits:
    without words it changes nothing and is left out of links."""
    if value not in (None, *SORTS):
        raise InvalidQueryError(f"sort must be {' or '.join(SORTS)}, not '{value[:40]}'")
    if value != "relevance" or not words:
        return False
    filters.append(("sort", value))
    return True


def _single_values(args: Mapping[str, Sequence[str]]) -> Callable[[str], str | None]:
    def get(name: str) -> str | None:
        values = args.get(name) or ()
        if len(values) > 1:
            raise InvalidQueryError(f"{name} is given {len(values)} times; give it once")
        return values[0] if values else None

    return get


def _integer(value: str | None, name: str, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise InvalidQueryError(
            f"{name} must be a whole number from {low} to {high}, not '{value[:40]}'"
        )
    number = int(value)
    if not low <= number <= high:
        raise InvalidQueryError(f"{name} must be from {low} to {high}, not {number}")
    return number


def _words(value: str | None, filters: list[tuple[str, str]]) -> tuple[str, ...]:
    if value is None or not value.strip():
        return ()
    if len(value) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"q is too long: at most {MAX_QUERY_CHARS} characters")
    words = query_words(value)  # which limits the words (search_query.MAX_QUERY_TERMS)
    if not words:
        raise InvalidQueryError("q must contain at least one word")
    filters.append(("q", " ".join(words)))
    return words


def _slugs(
    value: str | None,
    name: str,
    lookup: Callable[[str], str],
    filters: list[tuple[str, str]],
) -> list[str]:
    if value is None:
        return []
    slugs = [part.strip().lower() for part in value.split(",")]
    if not all(slugs) or len(slugs) > MAX_LIST_VALUES:
        raise InvalidQueryError(
            f"{name} must be 1 to {MAX_LIST_VALUES} comma-separated names, not '{value[:60]}'"
        )
    keys: list[str] = []
    for slug in slugs:
        try:
            keys.append(lookup(slug))
        except UnknownSelectionError:
            raise InvalidQueryError(f"unknown {name} '{slug[:40]}' in {name}=") from None
    filters.append((name, ",".join(sorted(set(slugs)))))
    return keys


def _country_code(slug: str) -> str:
    """A ``country=`` value: a country slug or an ISO alpha-2 code."""
    return country_named(slug).code


def _since(value: str | None, filters: list[tuple[str, str]]) -> dt.date | None:
    if value is None:
        return None
    since = parse_day(value)
    if since is None:
        raise InvalidQueryError(f"since must be a date as YYYY-MM-DD, not '{value[:40]}'")
    filters.append(("since", since.isoformat()))
    return since


def select_page(catalog: Catalog, selection: Selection, params: FeedParams) -> PageOfEntries:
    """The entries of one page; raises InvalidQueryError for a page past the last."""
    found = catalog.select(selection_keys(catalog, selection), params.query)
    if params.relevance:
        found = catalog.search_index.by_relevance(found, params.query.words)
    pages = max(1, math.ceil(len(found) / params.limit))
    if params.page > pages:
        raise InvalidQueryError(f"page must be from 1 to {pages} for this feed, not {params.page}")
    start = (params.page - 1) * params.limit
    chosen = found[start : start + params.limit]
    entries = catalog.entries_at(chosen)
    return PageOfEntries(entries, len(found), params.page, pages)


def published_at(date: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Noon of ``date`` in ``zone``: the archive knows the day only (issue 15).

    A reader in another zone sees the same calendar day as long as it is less than 12
    hours from ``zone``; midnight showed readers west of it the evening before. Noon is
    moved forward if a DST jump ever skips it. At the ends of the calendar (the archive
    may say year 1 or 9999) the zone's offset can leave ``datetime``'s range; such a date
    is noon UTC rather than a server error.
    """
    noon = dt.datetime.combine(date, PUBLISHED_TIME, tzinfo=zone)
    try:
        resolved: dt.datetime = tz.resolve_imaginary(noon)
    except OverflowError:
        return noon.replace(tzinfo=dt.UTC)
    return resolved


@dataclass(frozen=True)
class FeedRequest:
    """One feed asked for: what it selects, how, and where the answer is published."""

    catalog: Catalog
    selection: Selection
    params: FeedParams
    site: SiteInfo
    urls: SiteUrls
    #: The ``limit`` that links leave out (``FEEDS_PAGE_SIZE``).
    default_limit: int

    @cached_property
    def page(self) -> PageOfEntries:
        """The entries of the page asked for; raises InvalidQueryError past the last."""
        return select_page(self.catalog, self.selection, self.params)

    def link(self, extension: str, page: int) -> str:
        """The URL of ``page`` of this feed, with this request's filters."""
        params = self.params.link_params(page, self.default_limit)
        return self.urls.feed(self.selection.path, extension, params)


def build_feed(request: FeedRequest, extension: str) -> bytes:
    """The feed document, in the format named by ``extension``."""
    items = [feed_item(entry, request) for entry in request.page.entries]
    return FORMATS[extension].render(feed_info(request, extension, items), items)


def feed_item(entry: Entry, request: FeedRequest) -> FeedItem:
    catalog, urls = request.catalog, request.urls
    country_scheme = category_scheme(request.site.tag_authority, "countries")
    topic_scheme = category_scheme(request.site.tag_authority, "topics")
    categories = [
        Category(code, country_scheme, country_by_code(code).name) for code in entry.countries
    ] + [Category(slug, topic_scheme, catalog.taxonomy.name_of(slug)) for slug in entry.topics]
    # No invented times: same-day entries share their instant, and their order is the
    # document's (the Atom renderer keeps W3C's DuplicateUpdated away; render/generator.py).
    published = published_at(entry.date, request.site.timezone)
    return FeedItem(entry, urls.entry(entry.id), published, tuple(categories))


def category_scheme(authority: str, taxonomy: str) -> str:
    """``tag:AUTHORITY,2021:countries``: the taxonomy's name, whatever host serves the feed
    (as feed and entry ids are), so that a reader keying categories by scheme and term
    sees one category, not one per host or base URL (issue 15)."""
    return tag_uri(authority, FEED_TAG_YEAR, taxonomy)


def feed_info(request: FeedRequest, extension: str, items: Sequence[FeedItem]) -> FeedInfo:
    """What the feed document says about itself: title, links, paging (RFC 5005)."""
    page, site, selection = request.page, request.site, request.selection
    paging = Paging(
        first=request.link(extension, 1),
        previous=request.link(extension, page.page - 1) if page.page > 1 else None,
        next=request.link(extension, page.page + 1) if page.page < page.pages else None,
        last=request.link(extension, page.pages),
    )
    newest = (
        items[0].modified if items else published_at(newest_date(request.catalog), site.timezone)
    )
    return FeedInfo(
        title=selection.feed_title(site.title),
        subtitle=_subtitle(selection, request.params),
        feed_id=feed_id(site.tag_authority, selection, request.params),
        self_url=request.link(extension, page.page),
        html_url=request.urls.page(selection.path),
        updated=newest,
        language=site.language,
        author_name=site.author_name,
        author_uri=request.urls.home(),
        generator_version=site.generator_version,
        hubs=site.hubs,
        paging=paging,
        stylesheet_url=request.urls.static(FEED_STYLESHEET),
    )


def feed_id(authority: str, selection: Selection, params: FeedParams) -> str:
    """The feed's tag URI; a filtered variant (``q=``, ``topic=``, ``since=``, …) is another
    feed and has its own: the filters as a query (RFC 4151 allows "?"). Pages share it."""
    specific = f"feeds/{selection.path}"
    if params.filters:
        specific += "?" + urlencode(params.filters, quote_via=quote)
    return tag_uri(authority, FEED_TAG_YEAR, specific)


def newest_date(catalog: Catalog) -> dt.date:
    """The archive's newest date: the ``updated`` of feeds that have no entries."""
    return catalog.entries[0].date if catalog.entries else _EMPTY_ARCHIVE_DAY


def _subtitle(selection: Selection, params: FeedParams) -> str:
    text = selection.description or f"Press releases: {selection.name}."
    if params.filters:
        text += " Filtered by " + ", ".join(f"{k}={v}" for k, v in params.filters) + "."
    return text
