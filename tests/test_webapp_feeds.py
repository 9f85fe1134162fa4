"""The feeds under ``/feeds/``: formats, fields, order, paging, parameters and errors (issue 4)."""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import feedparser
import pytest
from feedlint import lint_atom, lint_jsonfeed, lint_rss
from feedparser.mixin import _FeedParserMixin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from w3c import MISSING as W3C_MISSING
from w3c import problems as w3c_validator_problems

from feeds.catalog.search_query import words_match
from feeds.classify.countries import all_countries, country_by_code
from feeds.classify.regions import region_by_slug
from feeds.render.html import clean_text

BASE = "http://localhost"
#: Categories' schemes: tag URIs, whatever the host (issue 15).
SCHEME = "tag:newsroom.example.org,2021:"
A = "{http://www.w3.org/2005/Atom}"
EXTENSIONS = ("atom", "rss", "json")
CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
LINTERS = {"atom": lint_atom, "rss": lint_rss, "json": lint_jsonfeed}
#: (selection path, name in the feed title, HTML page); Antarctica has no entries.
SELECTIONS = [
    ("all", "All news", "/"),
    ("country/mexico", "Mexico", "/country/mexico"),
    ("topic/labour-migration", "Labour migration", "/topic/labour-migration"),
    ("region/central-america", "Central America", "/region/central-america"),
    ("country/antarctica", "Antarctica", "/country/antarctica"),
]
looks_like_html = _FeedParserMixin.looks_like_html


# --- Reading a feed back, whatever its format ------------------------------------------


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    link: str
    published: dt.datetime
    #: Atom and JSON only: RSS items have no updated date.
    updated: dt.datetime | None
    paragraphs: tuple[str, ...]
    #: Atom (term, scheme, label); RSS (domain, text); JSON (tag,).
    categories: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    self_url: str
    html_url: str
    language: str
    #: Atom updated, RSS lastBuildDate; None in JSON Feed, which has no feed date.
    updated: dt.datetime | None
    #: RFC 5005 links: first, previous, next, last.
    paging: dict[str, str]
    items: list[Item]


def html_text(fragment: str) -> str:
    return lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()


def paragraphs(fragment: str) -> tuple[str, ...]:
    if not fragment:
        return ()
    return tuple(p.text_content() for p in lxml_html.fragments_fromstring(fragment))


def atom_text(element: etree._Element) -> str:
    text = element.text or ""
    return html_text(text) if element.get("type") == "html" else text


def read_atom(body: bytes) -> Feed:
    feed = etree.fromstring(body)
    links = {link.get("rel"): link.get("href") for link in feed.iterfind(f"{A}link")}
    items = [
        Item(
            guid=entry.findtext(f"{A}id"),
            title=atom_text(entry.find(f"{A}title")),
            link=entry.find(f"{A}link[@rel='alternate']").get("href"),
            published=dt.datetime.fromisoformat(entry.findtext(f"{A}published")),
            updated=dt.datetime.fromisoformat(entry.findtext(f"{A}updated")),
            paragraphs=paragraphs(entry.findtext(f"{A}summary") or ""),
            categories=tuple(
                (c.get("term"), c.get("scheme"), c.get("label")) for c in entry.iter(f"{A}category")
            ),
        )
        for entry in feed.iterfind(f"{A}entry")
    ]
    return Feed(
        title=feed.findtext(f"{A}title"),
        description=feed.findtext(f"{A}subtitle"),
        self_url=links["self"],
        html_url=links["alternate"],
        language=feed.get("{http://www.w3.org/XML/1998/namespace}lang"),
        updated=dt.datetime.fromisoformat(feed.findtext(f"{A}updated")),
        paging={rel: href for rel, href in links.items() if rel not in ("self", "alternate")},
        items=items,
    )


def read_rss(body: bytes) -> Feed:
    channel = etree.fromstring(body).find("channel")
    links = {link.get("rel"): link.get("href") for link in channel.iterfind(f"{A}link")}
    items = [
        Item(
            guid=item.findtext("guid"),
            title=item.findtext("title"),
            link=item.findtext("link"),
            published=email.utils.parsedate_to_datetime(item.findtext("pubDate")),
            updated=None,
            paragraphs=paragraphs(item.findtext("description") or ""),
            categories=tuple((c.get("domain"), c.text) for c in item.iterfind("category")),
        )
        for item in channel.iterfind("item")
    ]
    return Feed(
        title=channel.findtext("title"),
        description=channel.findtext("description"),
        self_url=links.pop("self"),
        html_url=channel.findtext("link"),
        language=channel.findtext("language"),
        updated=email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate")),
        paging=links,
        items=items,
    )


def read_json(body: bytes) -> Feed:
    feed = json.loads(body)
    items = [
        Item(
            guid=item["id"],
            title=item["title"],
            link=item["url"],
            published=dt.datetime.fromisoformat(item["date_published"]),
            updated=dt.datetime.fromisoformat(item["date_modified"]),
            paragraphs=tuple(item["content_text"].split("\n\n")) if item["content_text"] else (),
            categories=tuple((tag,) for tag in item.get("tags", [])),
        )
        for item in feed["items"]
    ]
    paging = {k: v for k, v in feed.get("_paging", {}).items() if k != "about"}
    if "next_url" in feed:
        assert feed["next_url"] == paging["next"]
    return Feed(
        title=feed["title"],
        description=feed["description"],
        self_url=feed["feed_url"],
        html_url=feed["home_page_url"],
        language=feed["language"],
        updated=None,
        paging=paging,
        items=items,
    )


READERS = {"atom": read_atom, "rss": read_rss, "json": read_json}


def get_feed(client, url: str, **query: object) -> Feed:
    response = client.get(url, query_string=query or None)
    assert response.status_code == 200, response.get_data(as_text=True)
    return READERS[url.split("?")[0].rsplit(".", 1)[1]](response.data)


def expected_categories(entry, catalog, extension: str) -> tuple[tuple[str, ...], ...]:
    """What went in: one category per country and per topic, by name."""
    full = [(f"{SCHEME}countries", country_by_code(c).name) for c in entry.countries]
    full += [(f"{SCHEME}topics", catalog.taxonomy.by_slug(t).name) for t in entry.topics]
    if extension == "atom":  # the name in term too (issue 15), as WordPress and Blogger write
        return tuple((name, scheme, name) for scheme, name in full)
    if extension == "rss":
        return tuple(full)
    return tuple((label,) for label in dict.fromkeys(label for _scheme, label in full))


# --- The W3C Feed Validation Service's own code, when ../shared/tools is there -----------


def w3c_problems(body: bytes, extension: str, url: str) -> list[str]:
    """The validator's verdict (tests/w3c.py); tests/test_w3c.py skips, saying why, without it."""
    if extension == "json" or W3C_MISSING:
        return []
    return w3c_validator_problems(body, url)


def assert_valid(response, extension: str, url: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == CONTENT_TYPES[extension]
    assert LINTERS[extension](response.data, url) == []
    assert w3c_problems(response.data, extension, url) == []
    if extension != "json":  # feedparser 6 does not read JSON Feed
        parsed = feedparser.parse(response.data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")


# --- Every format of every kind of selection -------------------------------------------


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize(("path", "name", "page"), SELECTIONS)
def test_every_feed_is_valid_with_its_content_type(client, path, name, page, extension):
    url = f"{BASE}/feeds/{path}.{extension}"
    assert_valid(client.get(url), extension, url)


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize(("path", "name", "page"), SELECTIONS)
def test_feed_level_fields(client, app, path, name, page, extension):
    url = f"{BASE}/feeds/{path}.{extension}"
    feed = get_feed(client, url)
    assert feed.title == f"Newsroom — {name}"
    assert feed.description
    assert (feed.self_url, feed.html_url, feed.language) == (url, BASE + page, "en")
    if feed.updated is not None:  # the newest entry's updated, else the archive's newest day
        items = get_feed(client, f"{BASE}/feeds/{path}.atom").items
        newest_day = app.extensions["feeds"].store.catalog.entries[0].date
        expected = (
            items[0].updated if items else dt.datetime.combine(newest_day, dt.time(12), dt.UTC)
        )
        assert feed.updated == expected


@pytest.mark.parametrize(("path", "name", "page"), SELECTIONS)
def test_atom_feed_has_a_stable_tag_id_author_and_generator(make_app, path, name, page):
    ids = set()
    for base_url in ("", "https://news.example.org/press"):
        body = make_app(BASE_URL=base_url).test_client().get(f"/feeds/{path}.atom").data
        feed = etree.fromstring(body)
        ids.add(feed.findtext(f"{A}id"))
        assert feed.findtext(f"{A}author/{A}name") == "Newsroom"
        assert feed.findtext(f"{A}generator") == "feeds"
    assert ids == {f"tag:newsroom.example.org,2021:feeds/{path}"}


def test_filtered_variants_have_their_own_atom_id_and_pages_share_it(client):
    """A filtered feed is another feed (issue 15); RFC 5005 pages are one feed."""

    def feed_id(query: str) -> str:
        return etree.fromstring(client.get(f"/feeds/all.atom{query}").data).findtext(f"{A}id")

    base = "tag:newsroom.example.org,2021:feeds/all"
    assert feed_id("") == feed_id("?limit=3&page=2") == base
    assert feed_id("?q=IOM+migrants") == f"{base}?q=iom%20migrants"
    assert feed_id("?topic=health&since=2021-04-01") == f"{base}?topic=health&since=2021-04-01"
    assert feed_id("?country=sv,mexico") == feed_id("?country=mexico,sv")
    assert feed_id("?country=mexico,sv") == f"{base}?country=mexico%2Csv"


def test_rss_links_self_first_and_the_html_page_as_channel_link(client):
    channel = etree.fromstring(client.get("/feeds/country/mexico.rss").data).find("channel")
    self_link = channel.find(f"{A}link")
    assert (self_link.get("rel"), self_link.get("href"), self_link.get("type")) == (
        "self",
        f"{BASE}/feeds/country/mexico.rss",
        "application/rss+xml",
    )
    assert channel.findtext("link") == f"{BASE}/country/mexico"
    assert channel.findtext("generator") == "feeds"
    assert all(guid.get("isPermaLink") == "false" for guid in channel.iter("guid"))


# --- Entries: what went in comes back out ------------------------------------------------


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_entries_round_trip_titles_links_dates_summaries_and_categories(client, app, extension):
    catalog = app.extensions["feeds"].store.catalog
    feed = get_feed(client, f"/feeds/all.{extension}?limit=100")
    assert len(feed.items) == len(catalog.entries) == 20
    for item, entry in zip(feed.items, catalog.entries, strict=True):
        assert (item.guid, item.title, item.link) == (
            entry.guid,
            entry.title,
            f"{BASE}/entries/{entry.id}",
        )
        assert item.published == dt.datetime.combine(entry.date, dt.time(12), dt.UTC)
        assert item.paragraphs == entry.summary
        assert item.categories == expected_categories(entry, catalog, extension)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_feedparser_reads_back_what_went_in(client, app, extension):
    catalog = app.extensions["feeds"].store.catalog
    parsed = feedparser.parse(client.get(f"/feeds/all.{extension}?limit=100").data)
    assert parsed.bozo == 0
    assert parsed.feed.title == "Newsroom — All news"
    assert len(parsed.entries) == len(catalog.entries)
    for read, entry in zip(parsed.entries, catalog.entries, strict=True):
        assert read.id == entry.guid
        assert read.title == entry.title
        assert read.link == f"{BASE}/entries/{entry.id}"
        assert read.published_parsed[:6] == (*entry.date.timetuple()[:3], 12, 0, 0)
        tags = [(tag.term, tag.scheme, tag.label) for tag in read.get("tags", [])]
        expected = expected_categories(entry, catalog, "atom")
        if extension == "rss":  # RSS carries the label as text, the scheme as domain
            expected = tuple((label, scheme, None) for _term, scheme, label in expected)
        assert tuple(tags) == expected


# Noon, not midnight (issue 15): the day stays right for readers 12 hours either side.
@pytest.mark.parametrize(
    ("zone", "published"),
    [
        ("UTC", ["2021-04-27T12:00:00+00:00", "2021-02-12T12:00:00+00:00"]),
        ("America/Costa_Rica", ["2021-04-27T12:00:00-06:00", "2021-02-12T12:00:00-06:00"]),
        ("Europe/Madrid", ["2021-04-27T12:00:00+02:00", "2021-02-12T12:00:00+01:00"]),
    ],
)
def test_dates_are_noon_in_the_configured_zone(make_app, zone, published):
    client = make_app(TIMEZONE=zone).test_client()
    atom = read_atom(client.get("/feeds/all.atom?limit=100").data)
    assert [atom.items[0].published.isoformat(), atom.items[-1].published.isoformat()] == published
    rss = read_rss(client.get("/feeds/all.rss?limit=100").data)
    json_feed = read_json(client.get("/feeds/all.json?limit=100").data)
    for other in (rss, json_feed):
        assert [i.published for i in other.items] == [i.published for i in atom.items]
        assert [i.published.utcoffset() for i in other.items] == [
            i.published.utcoffset() for i in atom.items
        ]
    assert rss.updated == atom.updated == atom.items[0].updated


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_settings_show_in_every_format(make_app, extension):
    client = make_app(
        SITE_TITLE="Noticias & más", LANGUAGE="es", TAG_AUTHORITY="desk@news.example.org"
    ).test_client()
    feed = get_feed(client, f"/feeds/country/mexico.{extension}")
    assert (feed.title, feed.language) == ("Noticias & más — Mexico", "es")
    assert {item.guid.split(",")[0] for item in feed.items} == {"tag:desk@news.example.org"}
    document = client.get("/country/mexico").get_data(as_text=True)
    assert '<html lang="es">' in document and "Noticias &amp; más" in document


def test_max_page_size_bounds_limit(make_app):
    client = make_app(PAGE_SIZE=2, MAX_PAGE_SIZE=5).test_client()
    assert len(get_feed(client, "/feeds/all.atom?limit=5").items) == 5
    response = client.get("/feeds/all.atom?limit=6")
    assert response.status_code == 400
    assert "limit must be from 1 to 5" in response.get_data(as_text=True)


# --- Order: newest first, ties in archive order, no invented times ---------------------


def archive_text(*entries: tuple[str, str]) -> str:
    """``(date line, title)`` pairs as the newsroom writes them, each with a summary."""
    return "".join(f"{date}\n\n{title}\n\nAbout {title}.\n\n" for date, title in entries)


@pytest.fixture
def same_day_client(write_archive, make_app):
    archive = write_archive({
        "b.txt": archive_text(("5 May, 2021", "B third"), ("6 May, 2021", "B newest")),
        "a.txt": archive_text(
            ("5 May, 2021", "A first"), ("5 May, 2021", "A second"), ("4 May, 2021", "A older")
        ),
    })  # fmt: skip
    return make_app(ARCHIVE=archive).test_client()


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_newest_first_and_same_day_entries_keep_archive_order(same_day_client, extension):
    feed = get_feed(same_day_client, f"/feeds/all.{extension}")
    titles = ["B newest", "A first", "A second", "B third", "A older"]
    assert [item.title for item in feed.items] == titles


@pytest.mark.parametrize("extension", ["atom", "json"])
def test_same_day_entries_share_their_time_published_and_updated_at_noon(
    same_day_client, extension
):
    """No invented seconds (issue 15): the order within a day is the document's."""
    feed = get_feed(same_day_client, f"/feeds/all.{extension}")
    assert [item.updated.isoformat() for item in feed.items] == [
        "2021-05-06T12:00:00+00:00",
        "2021-05-05T12:00:00+00:00",
        "2021-05-05T12:00:00+00:00",
        "2021-05-05T12:00:00+00:00",
        "2021-05-04T12:00:00+00:00",
    ]
    assert [item.published for item in feed.items] == [item.updated for item in feed.items]


def test_same_instant_updated_is_written_distinctly_in_atom(same_day_client):
    """W3C's DuplicateUpdated compares the strings: zero decimals, the same instant."""
    feed = etree.fromstring(same_day_client.get("/feeds/all.atom").data)
    assert [entry.findtext(f"{A}updated") for entry in feed.iterfind(f"{A}entry")] == [
        "2021-05-06T12:00:00+00:00",
        "2021-05-05T12:00:00+00:00",
        "2021-05-05T12:00:00.0+00:00",
        "2021-05-05T12:00:00.00+00:00",
        "2021-05-04T12:00:00+00:00",
    ]


@pytest.mark.parametrize(
    "query", ["", "?limit=3", "?page=2&limit=4", "?country=mexico", "?q=iom", "?since=2021-04-01"]
)
def test_real_archive_feeds_are_newest_first_with_distinct_updated_strings(client, app, query):
    catalog = app.extensions["feeds"].store.catalog
    feed = get_feed(client, f"/feeds/all.atom{query}")
    entries = [catalog.entry(item.link.rsplit("/", 1)[1]) for item in feed.items]
    keys = [catalog.by_id[entry.id] for entry in entries]
    assert keys == sorted(keys)  # catalog order: newest first, ties by file and line
    for newer, older in itertools.pairwise(entries):
        assert newer.date > older.date or (
            newer.date == older.date
            and (newer.source.path, newer.source.line) < (older.source.path, older.source.line)
        )
    updated = [item.updated for item in feed.items]
    assert updated == sorted(updated, reverse=True)
    written = [
        e.findtext(f"{A}updated")
        for e in etree.fromstring(client.get(f"/feeds/all.atom{query}").data).iterfind(f"{A}entry")
    ]
    assert len(set(written)) == len(written)


# --- Paging (RFC 5005 section 3) ----------------------------------------------------------


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_paging_links_walk_every_entry_once(client, app, extension):
    catalog = app.extensions["feeds"].store.catalog
    first = f"{BASE}/feeds/all.{extension}?limit=3"
    url, seen, pages = first, [], 0
    while url:
        feed = get_feed(client, url)
        pages += 1
        assert feed.self_url == url
        assert feed.paging["first"] == first
        assert feed.paging["last"] == f"{first}&page=7"
        assert ("previous" in feed.paging) == (pages > 1)
        if pages == 2:
            assert feed.paging["previous"] == first  # the first page has no page parameter
        seen += [item.guid for item in feed.items]
        url = feed.paging.get("next")
        if url:
            assert url == f"{first}&page={pages + 1}"
        assert pages <= 7
    assert pages == 7
    assert seen == [entry.guid for entry in catalog.entries]


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_a_single_page_feed_is_its_own_first_and_last(client, extension):
    feed = get_feed(client, f"/feeds/country/guyana.{extension}")
    url = f"{BASE}/feeds/country/guyana.{extension}"
    assert feed.paging == {"first": url, "last": url}


@pytest.fixture
def big_archive(write_archive):
    """25 entries, one a day from 1 January 2021: more than one default page."""
    days = [dt.date(2021, 1, 1) + dt.timedelta(days=n) for n in range(25)]
    entries = [(day.isoformat(), f"Entry number {n}") for n, day in enumerate(days)]
    return write_archive({"big.txt": archive_text(*entries)})


def test_default_limit_is_20_and_configurable(make_app, big_archive):
    feed = get_feed(make_app(ARCHIVE=big_archive).test_client(), "/feeds/all.json")
    assert len(feed.items) == 20
    assert feed.paging["next"] == f"{BASE}/feeds/all.json?page=2"
    feed = get_feed(make_app(ARCHIVE=big_archive, PAGE_SIZE=7).test_client(), "/feeds/all.json")
    assert len(feed.items) == 7
    assert feed.paging["last"] == f"{BASE}/feeds/all.json?page=4"


@pytest.mark.parametrize(("limit", "count"), [(1, 1), (19, 19), (25, 25), (100, 25)])
def test_limit_sets_the_page_size(make_app, big_archive, limit, count):
    client = make_app(ARCHIVE=big_archive).test_client()
    assert len(get_feed(client, f"/feeds/all.atom?limit={limit}").items) == count


# --- Filters: q, country, topic, since ---------------------------------------------------


def folded_words(text: str) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return set(re.findall(r"[^\W_]+", plain.casefold()))


def matching(catalog, *, words=(), countries=(), topics=(), since=None, within=None):
    """The entries a query should return, computed from the entries' own fields."""
    found = []
    for entry in catalog.entries:
        text = folded_words(entry.title + " " + " ".join(entry.summary))
        if (
            # A word matches the words that share its English or Spanish stem (issue 17).
            all(any(words_match(word, found) for found in text) for word in words)
            and (not countries or set(countries) & set(entry.countries))
            and (not topics or set(topics) & set(entry.topics))
            and (since is None or entry.date >= since)
            and (within is None or within(entry))
        ):
            found.append(entry.guid)
    return found


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("police", ["police"]),
        ("IOM Mexico", ["iom", "mexico"]),
        ("MIGRANT children", ["migrant", "children"]),
        ("elías", ["elias"]),
        ("ELIAS Piña", ["elias", "pina"]),
        ("Información", ["informacion"]),
        ("zanzibar", ["zanzibar"]),
    ],
)
def test_q_needs_every_word_in_title_or_summary_ignoring_case_and_accents(client, app, q, words):
    catalog = app.extensions["feeds"].store.catalog
    feed = get_feed(client, "/feeds/all.json", limit=100, q=q)
    assert [item.guid for item in feed.items] == matching(catalog, words=words)


def test_q_finds_accented_text_from_plain_words(make_app, write_archive):
    archive = write_archive({"es.txt": archive_text(("1 May, 2021", "Día de la Migración"))})
    client = make_app(ARCHIVE=archive).test_client()
    for q in ("migracion", "MIGRACIÓN", "dia migracion", "Día"):
        assert [i.title for i in get_feed(client, "/feeds/all.atom", q=q).items] == [
            "Día de la Migración"
        ]


def in_region(slug):
    codes = region_by_slug(slug).codes
    return lambda entry: bool(codes & set(entry.countries))


def about(code):
    return lambda entry: code in entry.countries


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/feeds/all.json?country=mexico", {"countries": ["MX"]}),
        ("/feeds/all.json?country=mx", {"countries": ["MX"]}),
        ("/feeds/all.json?country=MX,guyana", {"countries": ["MX", "GY"]}),
        ("/feeds/all.json?country=haiti,%20panama", {"countries": ["HT", "PA"]}),
        ("/feeds/all.json?topic=health,gender", {"topics": ["health", "gender"]}),
        (
            "/feeds/topic/labour-migration.json?country=mexico,guatemala",
            {"topics": ["labour-migration"], "countries": ["MX", "GT"]},
        ),
        (
            "/feeds/country/mexico.json?topic=governance,information",
            {"within": about("MX"), "topics": ["governance", "information"]},
        ),
        (
            "/feeds/country/mexico.json?country=guatemala",
            {"within": about("MX"), "countries": ["GT"]},
        ),
        ("/feeds/country/mexico.json?country=guyana", {"within": about("MX"), "countries": ["GY"]}),
        (
            "/feeds/region/central-america.json?topic=information",
            {"within": in_region("central-america"), "topics": ["information"]},
        ),
        ("/feeds/all.json?since=2021-04-16", {"since": dt.date(2021, 4, 16)}),
        ("/feeds/all.json?since=2030-01-01", {"since": dt.date(2030, 1, 1)}),
        (
            "/feeds/country/mexico.json?since=2021-03-01&q=labour&topic=labour-migration",
            {
                "within": about("MX"),
                "since": dt.date(2021, 3, 1),
                "words": ["labour"],
                "topics": ["labour-migration"],
            },
        ),
        ("/feeds/all.json?utm_source=newsletter&foo=", {}),
    ],
)
def test_filters_are_any_of_within_and_intersected_across(client, app, url, query):
    catalog = app.extensions["feeds"].store.catalog
    feed = get_feed(client, f"{url}&limit=100" if "?" in url else url)
    assert [item.guid for item in feed.items] == matching(catalog, **query)


def test_filters_are_kept_in_self_and_paging_links(client):
    feed = get_feed(client, "/feeds/all.atom?country=mexico&limit=2&utm_source=x")
    assert parse_qsl(urlsplit(feed.self_url).query) == [("country", "mexico"), ("limit", "2")]
    assert parse_qsl(urlsplit(feed.paging["next"]).query) == [
        ("country", "mexico"),
        ("limit", "2"),
        ("page", "2"),
    ]


# --- Errors: 400, 301, 404 ---------------------------------------------------------------

BAD_QUERIES = [
    ("limit=0", "limit"),
    ("limit=101", "limit"),
    ("limit=abc", "limit"),
    ("limit=-1", "limit"),
    ("limit=1.5", "limit"),
    ("limit=", "limit"),
    ("limit=%D9%A5", "limit"),  # an Arabic-Indic five
    ("limit=99999999999999999999", "limit"),
    ("page=0", "page"),
    ("page=two", "page"),
    ("page=2", "page"),  # past the last page
    ("limit=10&page=3", "page"),
    ("q=" + "word+" * 41, "q"),
    ("q=" + "+".join(f"w{n}" for n in range(11)), "q"),
    ("q=%21%21%21", "q"),
    ("country=atlantis", "country"),
    ("country=", "country"),
    ("country=mexico,,guatemala", "country"),
    ("country=" + ",".join(["mexico"] * 21), "country"),
    ("country=../../etc/passwd", "country"),
    ("topic=nope", "topic"),
    ("topic=mexico", "topic"),
    ("since=2021-13-01", "since"),
    ("since=2021-02-30", "since"),
    ("since=21-03-01", "since"),
    ("since=20210301", "since"),
    ("since=yesterday", "since"),
    ("since=", "since"),
    ("limit=1&limit=2", "limit"),
    ("country=mx&country=gt", "country"),
]


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize(("query", "name"), BAD_QUERIES)
def test_bad_parameters_answer_400_with_one_line_saying_which(client, query, name, extension):
    response = client.get(f"/feeds/all.{extension}?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith("400 Bad Request: ")
    assert body.endswith("\n") and body.count("\n") == 1
    assert name in body.split(": ", 1)[1]
    assert len(body) < 300


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/feeds/country/mx.atom", "/feeds/country/mexico.atom"),
        ("/feeds/country/MX.rss?limit=2&q=iom", "/feeds/country/mexico.rss?limit=2&q=iom"),
        ("/feeds/country/Mexico.json", "/feeds/country/mexico.json"),
        ("/feeds/country/cr.json", "/feeds/country/costa-rica.json"),
        ("/feeds/country/US.atom", "/feeds/country/united-states.atom"),
        ("/feeds/country/Costa-Rica.rss", "/feeds/country/costa-rica.rss"),
        ("/feeds/topic/Labour-Migration.atom", "/feeds/topic/labour-migration.atom"),
        ("/feeds/region/CENTRAL-AMERICA.json", "/feeds/region/central-america.json"),
    ],
)
def test_codes_and_capitals_redirect_301_to_the_canonical_feed(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == BASE + location
    assert client.get(response.headers["Location"]).status_code == 200


def test_every_iso_country_has_a_valid_feed_and_its_code_redirects(client, app):
    catalog = app.extensions["feeds"].store.catalog
    for country in all_countries():
        url = f"{BASE}/feeds/country/{country.slug}.atom"
        response = client.get(url)
        assert lint_atom(response.data, url) == [], country
        feed = read_atom(response.data)
        assert feed.title == f"Newsroom — {country.name}"
        assert len(feed.items) == min(20, len(catalog.country_index.get(country.code, ())))
        moved = client.get(f"/feeds/country/{country.code.lower()}.atom")
        assert (moved.status_code, moved.headers["Location"]) == (301, url)


@pytest.mark.parametrize(
    "slug", ["mexico", "costa-rica", "el-salvador", "dominican-republic", "united-states"]
)
def test_the_documented_country_slugs_answer(client, slug):
    assert client.get(f"/feeds/country/{slug}.json").status_code == 200


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/feeds/country/atlantis.atom", ["unknown country 'atlantis'", "mexico", "costa-rica"]),
        ("/feeds/country/zz.rss", ["unknown country 'zz'", "alpha-2", "/feeds.opml"]),
        ("/feeds/country/..%2Fetc%2Fpasswd.atom", ["no feed at /feeds/country/../etc/passwd"]),
        ("/feeds/country/%2E%2E.atom", ["unknown country '..'"]),
        ("/feeds/topic/nope.json", ["unknown topic 'nope'", "labour-migration", "health"]),
        ("/feeds/region/atlantis.atom", ["unknown region", "central-america", "caribbean"]),
        ("/feeds/everything.atom", ["/feeds/all.atom", "/feeds/country/<name>.atom"]),
        ("/feeds/country/mexico.xml", ["/feeds/topic/<slug>.atom", "/feeds.opml"]),
        ("/feeds/all.ATOM", ["/feeds/all.atom"]),
        ("/feeds/city/mexicali.atom", ["/feeds/region/<slug>.atom"]),
    ],
)
def test_unknown_feeds_answer_404_saying_what_exists(client, path, says):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith("404 Not Found: ") and body.count("\n") == 1
    for text in says:
        assert text in body


def test_unknown_topic_404_lists_every_topic(client, app):
    body = client.get("/feeds/topic/nope.atom").get_data(as_text=True)
    for topic in app.extensions["feeds"].store.catalog.taxonomy.topics:
        assert topic.slug in body


# --- Nasty archive content ----------------------------------------------------------------

NASTY_TITLES = [
    pytest.param("Mexico <script>alert('x')</script> & Guatemala", id="script"),
    pytest.param("AT&T says \"yes\" & 'no' ]]> <![CDATA[", id="ampersand-quotes-cdata"),
    pytest.param("Bold </b> & &amp; &#169; entities", id="end-tag-and-entities"),
    pytest.param("Control\x01\x08\x0b\x0c\x1b\x7f\x85\x9f characters in Guatemala", id="controls"),
    pytest.param("Emoji 😀🇲🇽 and Arabic مرحبا بالعالم", id="emoji-arabic"),
    pytest.param("中文标题：墨西哥的移民", id="chinese"),
    pytest.param("Right\u202eto\u202cleft \u200bzero width\u2060 and \ufeffBOM", id="invisible"),
    pytest.param("Lone \ufffe\uffff non-characters", id="non-characters"),
    pytest.param("Replacement \ufffd character", id="replacement-character"),
]
NASTY_SUMMARY = (
    'A <a href="/relative">link</a> & <img src=x onerror=alert(1)> ]]> "q" \'q\' 😀\n\n'
    "Second paragraph: مرحبا 中文 \x07bell &amp; &lt;"
)


def nasty_app(make_app, write_archive, title):
    archive = write_archive({
        "nasty.txt": f"3 May, 2021\n\n{title}\n\n{NASTY_SUMMARY}\n\n"
                     + archive_text(("2 May, 2021", "A plain entry about Mexico")),
    })  # fmt: skip
    app = make_app(ARCHIVE=archive)
    entry = app.extensions["feeds"].store.catalog.entries[0]
    return app.test_client(), entry


def fed(text: str) -> str:
    """``text`` as every feed carries it (U+FFFD, a decoding error, is left out, for one)."""
    return clean_text(text)


#: A title holding an HTML end tag (``</b>``) as text is the one warning the W3C validator
#: may give (ContainsUndeclaredHTML, ContainsHTML): tests/w3c.py leaves it out.
@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("title", NASTY_TITLES)
def test_nasty_entries_give_valid_feeds(make_app, write_archive, title, extension):
    client, _ = nasty_app(make_app, write_archive, title)
    url = f"{BASE}/feeds/all.{extension}"
    assert_valid(client.get(url), extension, url)


@pytest.mark.parametrize("extension", EXTENSIONS)
@pytest.mark.parametrize("title", NASTY_TITLES)
def test_nasty_entries_round_trip(make_app, write_archive, title, extension):
    client, entry = nasty_app(make_app, write_archive, title)
    item = get_feed(client, f"/feeds/all.{extension}").items[0]
    assert (item.guid, item.title, item.link) == (
        entry.guid,
        fed(entry.title),
        f"{BASE}/entries/{entry.id}",
    )
    assert item.paragraphs == entry.summary


@pytest.mark.parametrize("extension", ["atom", "rss"])
@pytest.mark.parametrize("title", NASTY_TITLES)
def test_nasty_titles_read_back_in_feedparser(make_app, write_archive, title, extension):
    client, entry = nasty_app(make_app, write_archive, title)
    parsed = feedparser.parse(client.get(f"/feeds/all.{extension}").data)
    assert parsed.bozo == 0
    expected = fed(entry.title)
    # The very string; feedparser marks an RSS title that looks like HTML as HTML (README).
    kind = "text/html" if extension == "rss" and looks_like_html(expected) else "text/plain"
    read = parsed.entries[0]
    assert (read.title_detail.type, read.title) == (kind, expected)


# Archive lines as an editor could type or paste them: anything but a line break.
line_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), min_size=1, max_size=60
)


# A new app per example over the same directory: hypothesis reuses the test's fixtures.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=line_text, summary=line_text)
def test_any_archive_text_gives_valid_feeds_that_round_trip(make_app, archive_dir, title, summary):
    for path in archive_dir.glob("*.txt"):
        path.unlink()
    (archive_dir / "fuzz.txt").write_text(
        f"3 May, 2021\n\nTitle: {title}\n\n{summary}\n", encoding="utf-8"
    )
    app = make_app()
    (entry,) = app.extensions["feeds"].store.catalog.entries
    client = app.test_client()
    for extension in EXTENSIONS:
        url = f"{BASE}/feeds/all.{extension}"
        response = client.get(url)
        assert response.status_code == 200
        assert LINTERS[extension](response.data, url) == []
        assert w3c_problems(response.data, extension, url) == []
        (item,) = READERS[extension](response.data).items
        assert item.title == fed(entry.title)
        summary = tuple(fed(p) for p in entry.summary)
        if not summary and extension == "atom":  # the title, not "Missing textual content"
            summary = (fed(entry.title),)
        assert item.paragraphs == summary
    parsed = feedparser.parse(client.get("/feeds/all.atom").data)
    assert parsed.bozo == 0
    assert parsed.entries[0].title == fed(entry.title)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_dates_at_the_ends_of_the_calendar_never_give_a_server_error(make_app, write_archive, zone):
    archive = write_archive({
        "odd.txt": archive_text(("1 January 0001", "Ancient news"), ("31 December 9999", "Far")),
    })  # fmt: skip
    client = make_app(ARCHIVE=archive, TIMEZONE=zone).test_client()
    for extension in EXTENSIONS:
        url = f"{BASE}/feeds/all.{extension}"
        response = client.get(url)
        assert response.status_code == 200
        assert LINTERS[extension](response.data, url) == []


# Dates before 1970 are refused by the parser; later than today are held back until then.
@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_implausible_years_stay_out_of_feeds(make_app, write_archive, extension):
    archive = write_archive({
        "odd.txt": archive_text(("1 January 0001", "In 0001"), ("5 May 1950", "In 1950"),
                                ("5 May 2099", "In 2099")),
    })  # fmt: skip
    url = f"{BASE}/feeds/all.{extension}"
    app = make_app(ARCHIVE=archive)
    body = app.test_client().get(url).data
    assert LINTERS[extension](body, url) + w3c_problems(body, extension, url) == []
    problems = [str(d) for d in app.extensions["feeds"].store.catalog.archive.diagnostics]
    assert any("implausible date '1 January 0001'" in p for p in problems)
    assert any("dated 2099-05-05, after today" in p and "held back" in p for p in problems)


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_an_entry_without_summary_is_valid_everywhere(make_app, write_archive, extension):
    archive = write_archive({"a.txt": "2 May, 2021\n\nNo summary about Mexico\n"})
    client = make_app(ARCHIVE=archive).test_client()
    url = f"{BASE}/feeds/all.{extension}"
    response = client.get(url)
    assert_valid(response, extension, url)
    (item,) = READERS[extension](response.data).items
    # Atom gives it the title as summary: no "Missing textual content" (issue 15).
    paragraphs = ("No summary about Mexico",) if extension == "atom" else ()
    assert (item.title, item.paragraphs) == ("No summary about Mexico", paragraphs)
