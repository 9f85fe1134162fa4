"""The cross-client suite's common part (issue 15): a live server, what JSON Feed says, and
the comparison every client's reading goes through.

Each ``tests/test_clients_*.py`` reads the feeds of one live ``feeds serve`` on loopback
with real clients: ``all``, a country, a topic and a region, in every format the client
supports, from ``?limit=100`` along the RFC 5005 ``next`` chain to its end; and compares
each item's id, title, link, date and categories with the JSON Feed's.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from feedparser.mixin import _FeedParserMixin
from liveserver import app_environ, free_port, start_app, stop, wait_until_serving
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
REAL_ARCHIVE = ROOT / "archive"
CLIENTS = Path(__file__).resolve().parent / "clients"
#: The selections every client reads.
FEEDS = ("all", "country/mexico", "topic/labour-migration", "region/central-america")
FIRST_PAGE = "?limit=100"
ATOM = "{http://www.w3.org/2005/Atom}"
#: Loopback only, whatever the environment's proxy says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Item:
    """What every client must agree on."""

    id: str
    title: str
    link: str
    #: The published instant, in UTC.
    date: dt.datetime
    #: The names of its countries and topics; ``None`` when a client does not give them.
    categories: frozenset[str] | None


def item(
    id: str, title: str, link: str, date: str | dt.datetime, categories: object = None
) -> Item:
    """An :class:`Item` from a client's fields; ``date`` an aware datetime or ISO 8601."""
    when = date if isinstance(date, dt.datetime) else dt.datetime.fromisoformat(date)
    names = None if categories is None else frozenset(str(c) for c in categories)  # type: ignore[attr-defined]
    return Item(id, title, link, when.astimezone(dt.UTC), names)


# --- The archive and the server -----------------------------------------------------------

#: Generated entries beside the real ones, so that the all feed has two pages of 100 and
#: titles hold "&", "<" and quotes. Three a day: same-day order is the document's.
GENERATED = 110
_TITLES = (
    'Mexico & Guatemala: labour migration "corridors" report no. {n}',
    "Costa Rica opens information hub no. {n} for migrants < 18 years old",
    "El Salvador: returnees' labour migration & skills, session {n}",
)
#: Titles that hold markup as text, every tenth entry: the title is that very text.
MARKUP_TITLES = (
    "Why </b> and &amp; are text in Mexico's labour migration report no. {n}",
    "<script>alert({n})</script> is a Guatemala labour migration title",
)


def write_archive(directory: Path) -> Path:
    """The real archive plus :data:`GENERATED` entries in January 2022."""
    directory.mkdir(parents=True)
    for path in sorted(REAL_ARCHIVE.glob("*.txt")):
        shutil.copy(path, directory / path.name)
    lines = []
    for n in range(GENERATED):
        day = dt.date(2022, 1, 1) + dt.timedelta(days=n // 3)
        markup = n % 10 == 9
        title = (MARKUP_TITLES[n // 10 % 2] if markup else _TITLES[n % 3]).format(n=n)
        lines.append(f"{day:%d %B, %Y}\n\n{title}\n\nAbout labour migration, no. {n}.\n\n")
    (directory / "2022-generated.txt").write_text("".join(lines), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of ``feeds serve`` (gunicorn) over that archive, in the newsroom's zone."""
    directory = tmp_path_factory.mktemp("cross-client")
    archive = write_archive(directory / "archive")
    port = free_port()
    log = directory / "server.log"
    process = start_app(port, app_environ(archive, TIMEZONE="America/Costa_Rica"), log)
    try:
        wait_until_serving(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def fetch(url: str) -> bytes:
    with OPENER.open(url, timeout=30) as response:
        body: bytes = response.read()
        return body


# --- What JSON Feed says, and the paged chains ---------------------------------------------


@functools.cache
def page_urls(base_url: str, feed: str, extension: str) -> tuple[str, ...]:
    """The pages of one feed in one format: the first, then each ``next`` to the end."""
    url: str | None = f"{base_url}/feeds/{feed}.{extension}{FIRST_PAGE}"
    pages: list[str] = []
    while url:
        pages.append(url)
        url = _next_link(fetch(url), extension)
        assert len(pages) < 20, "a next chain that does not end"
    return tuple(pages)


def _next_link(body: bytes, extension: str) -> str | None:
    if extension == "json":
        next_url: str | None = json.loads(body).get("next_url")
        return next_url
    for link in etree.fromstring(body).iter(f"{ATOM}link"):
        if link.get("rel") == "next":
            href: str = link.get("href")
            return href
    return None


@functools.cache
def expected(base_url: str, feed: str) -> tuple[Item, ...]:
    """Every item of the feed as JSON Feed gives it, along its own chain."""
    items = []
    for url in page_urls(base_url, feed, "json"):
        for entry in json.loads(fetch(url))["items"]:
            items.append(
                item(
                    entry["id"],
                    entry["title"],
                    entry["url"],
                    entry["date_published"],
                    entry.get("tags", []),
                )
            )
    return tuple(items)


def assert_same(
    read: Sequence[Item],
    wanted: Sequence[Item],
    *,
    categories: bool = True,
    html_looking_titles: bool = True,
) -> None:
    """``read`` is ``wanted``, item by item and in order. A client's known limit (README)
    leaves out the categories (``categories=False``), or the titles that feedparser's
    heuristic takes for HTML in RSS (``html_looking_titles=False``)."""
    if not categories:
        wanted = [Item(w.id, w.title, w.link, w.date, None) for w in wanted]
        read = [Item(r.id, r.title, r.link, r.date, None) for r in read]
    if not html_looking_titles:
        skipped = {w.id for w in wanted if looks_like_html(w.title)}
        assert skipped, "the archive should hold such titles"
        wanted = [_untitled(w) if w.id in skipped else w for w in wanted]
        read = [_untitled(r) if r.id in skipped else r for r in read]
    assert len(read) == len(wanted)
    differences = [(r, w) for r, w in zip(read, wanted, strict=True) if r != w]
    assert differences == [], differences[:3]


#: feedparser's test for "this RSS text is HTML": an end tag such as ``</b>``, an entity.
looks_like_html = _FeedParserMixin.looks_like_html


def _untitled(read: Item) -> Item:
    return Item(read.id, "", read.link, read.date, read.categories)


def missing(command: str) -> str | None:
    """The skip reason when ``command`` is not installed."""
    if shutil.which(command):
        return None
    return f"{command} is not installed: scripts/test-deps.sh installs it (as root)"
