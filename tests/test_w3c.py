"""The W3C Feed Validation Service's own code on every Atom, RSS and OPML document we serve.

Target (issue 15): no error and no warning, except "should not contain HTML" on a title
that does hold the text of an HTML tag (tests/w3c.py). Served through the Flask test
client, from the shipped archive and from archives of nasty generated text.
"""

from __future__ import annotations

import pytest
from feedlint import nasty_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from w3c import needs_w3c, problems

pytestmark = needs_w3c

BASE = "http://localhost"
FORMATS = ("atom", "rss")
FILTERS = ("q=migrants", "topic=health", "since=2021-04-01", "country=mexico%2Csv", "q=iom&limit=2")


def served(client, path: str) -> tuple[bytes, str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.data, BASE + path


def every_feed(client) -> list[str]:
    """The path of each non-empty feed, as the OPML lists them (all, countries, topics,
    regions), without extension."""
    opml = etree.fromstring(client.get("/feeds.opml").data)
    urls = [outline.get("xmlUrl") for outline in opml.iter("outline") if outline.get("xmlUrl")]
    return [url.removeprefix(BASE).rsplit(".", 1)[0] for url in urls]


def test_opml(client):
    assert problems(*served(client, "/feeds.opml")) == []


@pytest.mark.parametrize("extension", FORMATS)
def test_every_feed_of_the_shipped_archive(client, extension):
    paths = every_feed(client)
    assert {"/feeds/all", "/feeds/country/mexico", "/feeds/region/central-america"} <= set(paths)
    assert any(path.startswith("/feeds/topic/") for path in paths)
    found = {path: problems(*served(client, f"{path}.{extension}")) for path in paths}
    assert {path: found for path, found in found.items() if found} == {}


@pytest.mark.parametrize("extension", FORMATS)
def test_every_page_of_paged_feeds(client, extension):
    for path in ("/feeds/all", "/feeds/country/mexico"):
        url: str | None = f"{path}.{extension}?limit=3"
        pages = 0
        while url:
            body, absolute = served(client, url)
            assert problems(body, absolute) == [], absolute
            url = next_link(body)
            pages += 1
        assert pages >= 2, path


def next_link(body: bytes) -> str | None:
    for link in etree.fromstring(body).iter("{http://www.w3.org/2005/Atom}link"):
        if link.get("rel") == "next":
            return link.get("href").removeprefix(BASE)
    return None


@pytest.mark.parametrize("extension", FORMATS)
@pytest.mark.parametrize("query", FILTERS)
def test_filtered_variants(client, extension, query):
    assert problems(*served(client, f"/feeds/all.{extension}?{query}")) == []


@pytest.mark.parametrize("extension", FORMATS)
def test_empty_feeds_and_websub_links(make_app, extension):
    """A country without news, and every feed with a hub beside self, under a base URL."""
    app = make_app(WEBSUB_HUB="https://hub.example.net/", BASE_URL="https://news.example.org")
    client = app.test_client()
    for path in (f"/feeds/country/antarctica.{extension}", f"/feeds/all.{extension}?limit=3"):
        body = client.get(path).data
        assert problems(body, f"https://news.example.org{path}") == [], path
        assert b"https://hub.example.net/" in body


# --- Nasty entries: feedlint's nasty text as titles and summaries -----------------------

ENTRIES_PER_ARCHIVE = 12
#: A line of the archive: nasty text, never a date line (the "Title:" prefix).
nasty_line = nasty_text.map(lambda text: f"Title: {text}")
nasty_entries = st.lists(
    st.tuples(nasty_line, st.one_of(st.just(""), nasty_line)),
    min_size=ENTRIES_PER_ARCHIVE,
    max_size=ENTRIES_PER_ARCHIVE,
)


def archive_of(entries: list[tuple[str, str]]) -> str:
    """Two entries a day: same-day entries share their time (DuplicateUpdated stays away)."""
    return "".join(
        f"{day // 2 + 1} May, 2021\n\n{title}\n\n{summary}\n\n"
        for day, (title, summary) in enumerate(entries)
    )


# 25 archives of 12 entries: 300 nasty titles and as many summaries (some left empty).
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=nasty_entries)
def test_nasty_entries(make_app, archive_dir, entries):
    for path in archive_dir.glob("*.txt"):
        path.unlink()
    # A lone surrogate cannot be written as UTF-8: "?" instead.
    text = archive_of(entries).encode("utf-8", "replace")
    (archive_dir / "nasty.txt").write_bytes(text)
    client = make_app().test_client()
    for extension in FORMATS:
        found = problems(*served(client, f"/feeds/all.{extension}?limit=100"))
        assert found == [], entries


def test_an_entry_without_summary_is_not_missing_textual_content(make_app, write_archive):
    archive = write_archive({"a.txt": "2 May, 2021\n\nNo summary about Mexico\n"})
    client = make_app(ARCHIVE=archive).test_client()
    for extension in FORMATS:
        assert problems(*served(client, f"/feeds/all.{extension}")) == []


@pytest.mark.parametrize("title", ["AT&T &amp; &#169; <b> is text", "Why </p> is text"])
def test_markup_like_titles(make_app, write_archive, title):
    """Only a real end tag may give a warning (which problems() leaves out): entities and
    "<" are hexadecimal references, which the validator knows are text."""
    archive = write_archive({"a.txt": f"2 May, 2021\n\n{title}\n\n{title}\n"})
    client = make_app(ARCHIVE=archive).test_client()
    for extension in FORMATS:
        body, url = served(client, f"/feeds/all.{extension}")
        assert problems(body, url) == []
        assert b"&#x3C;" in body
