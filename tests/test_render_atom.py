import datetime as dt

import feedparser
import pytest
from feedlint import (
    HOST,
    MEXICO,
    ZONE,
    lint_atom,
    make_info,
    make_item,
    nasty_text,
)
from hypothesis import given
from lxml import etree

from feeds.render import ATOM_CONTENT_TYPE, FORMATS, Category, Paging, render_atom
from feeds.render.html import clean_text

A = "{http://www.w3.org/2005/Atom}"
#: Local mean time: zoneinfo gives offsets like this for dates before standard time.
LMT = dt.timezone(dt.timedelta(seconds=-1000))
PAGING = Paging(
    first=f"{HOST}/country/mx/feed.atom",
    previous=f"{HOST}/country/mx/feed.atom?page=1",
    next=f"{HOST}/country/mx/feed.atom?page=3",
    last=f"{HOST}/country/mx/feed.atom?page=9",
)


def parse(info, items):
    parsed = feedparser.parse(render_atom(info, items))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_registry_entry():
    assert list(FORMATS) == ["atom", "rss", "json"]
    atom = FORMATS["atom"]
    assert (atom.extension, atom.name, atom.media_type) == ("atom", "Atom", "application/atom+xml")
    assert atom.content_type == ATOM_CONTENT_TYPE == "application/atom+xml; charset=utf-8"
    # Wrapped to add an optional stylesheet (issue 17); without one, the same bytes.
    assert atom.render(make_info(), [make_item()]) == render_atom(make_info(), [make_item()])


@pytest.mark.parametrize("count", [0, 1, 20])
def test_output_is_lint_clean(count):
    info = make_info(hubs=("https://hub.example.net/",), paging=PAGING)
    xml = render_atom(info, [make_item(n) for n in range(1, count + 1)])
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert lint_atom(xml, url=info.self_url) == []


def test_feed_metadata_round_trips():
    info = make_info(
        author_uri=f"{HOST}/about",
        generator_version="1.2",
        language="es-MX",
    )
    feed = parse(info, [make_item()]).feed
    assert (feed.id, feed.title, feed.subtitle) == (info.feed_id, info.title, info.subtitle)
    assert feed.updated == "2024-06-03T00:00:00-06:00"
    assert feed.author_detail == {"name": "Newsroom", "href": f"{HOST}/about"}
    assert feed.generator_detail == {"name": "feeds", "version": "1.2"}
    assert feed.language == "es-MX"


def test_links_html_page_first_then_self_hubs_and_paging():
    info = make_info(hubs=("https://hub.example.net/", "https://hub2.example.net/"), paging=PAGING)
    feed = etree.fromstring(render_atom(info, []))
    links = [
        (link.get("rel"), link.get("href"), link.get("type")) for link in feed.iter(f"{A}link")
    ]
    # Readers such as feed-extractor take the first link as the site (issue 15).
    assert links == [
        ("alternate", info.html_url, "text/html"),
        ("self", info.self_url, "application/atom+xml"),
        ("hub", "https://hub.example.net/", None),
        ("hub", "https://hub2.example.net/", None),
        ("first", PAGING.first, "application/atom+xml"),
        ("previous", PAGING.previous, "application/atom+xml"),
        ("next", PAGING.next, "application/atom+xml"),
        ("last", PAGING.last, "application/atom+xml"),
    ]


@pytest.mark.parametrize(
    ("paging", "rels"),
    [
        (Paging(), []),
        (Paging(next=PAGING.next), ["next"]),
        (Paging(first=PAGING.first, last=PAGING.last), ["first", "last"]),
    ],
)
def test_only_given_paging_links(paging, rels):
    feed = etree.fromstring(render_atom(make_info(paging=paging), []))
    found = [link.get("rel") for link in feed.iterfind(f"{A}link")]
    assert found == ["alternate", "self", *rels]


def test_entries_round_trip_in_order():
    items = [make_item(3), make_item(1), make_item(2)]
    entries = parse(make_info(), items).entries
    assert [entry.id for entry in entries] == [item.entry.guid for item in items]
    first = entries[0]
    assert first.title == "Item 3 & <friends>"
    assert first.title_detail.type == "text/plain"
    assert [(link.rel, link.href, link.type) for link in first.links] == [
        ("alternate", items[0].url, "text/html")
    ]
    assert first.published == first.updated == "2024-06-03T00:00:00-06:00"
    assert first.summary == '<p>First of 3.</p><p>Second: a &lt; b &amp; "c".</p>'
    assert first.summary_detail.type == "text/html"
    # The name in term, as RSS and JSON Feed show it (issue 15).
    assert [dict(tag) for tag in first.tags] == [
        {"term": "Mexico", "scheme": f"{HOST}/country/", "label": "Mexico"},
        {"term": "Labour migration", "scheme": f"{HOST}/topic/", "label": "Labour migration"},
    ]


def test_entry_link_is_explicitly_the_html_alternate():
    item = make_item()
    link = etree.fromstring(render_atom(make_info(), [item])).find(f"{A}entry/{A}link")
    assert dict(link.attrib) == {"href": item.url, "rel": "alternate", "type": "text/html"}


def test_same_day_entries_keep_the_given_order():
    items = [make_item(1, guid=f"tag:news.example.org,2024:{n}") for n in "cab"]
    entries = parse(make_info(), items).entries
    assert [entry.id[-1] for entry in entries] == ["c", "a", "b"]


def test_summary_is_escaped_html_typed_as_html():
    item = make_item(summary=("<script>alert(1)</script>", "Tom & Jerry"))
    summary = etree.fromstring(render_atom(make_info(), [item])).find(f"{A}entry/{A}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Tom &amp; Jerry</p>"


def test_entry_without_summary_has_its_title_as_summary():
    """Not "Missing textual content" to the W3C validator (issue 15)."""
    xml = render_atom(make_info(), [make_item(title="A </b> & B", summary=())])
    summary = etree.fromstring(xml).find(f"{A}entry/{A}summary")
    assert (summary.get("type"), summary.text) == ("html", "<p>A &lt;/b&gt; &amp; B</p>")
    assert lint_atom(xml) == []


def test_empty_author_name_still_gives_an_author():
    xml = render_atom(make_info(author_name="\x01"), [make_item()])
    assert etree.fromstring(xml).findtext(f"{A}author/{A}name") == "Newsroom"
    assert lint_atom(xml) == []


def test_control_characters_are_removed():
    item = make_item(title="Bad\x00 \x1bbytes\ufffe \ud800here", categories=(MEXICO,))
    assert parse(make_info(title="Feed\x07"), [item]).entries[0].title == "Bad bytes here"


def test_title_of_only_forbidden_characters_falls_back_to_the_id():
    item = make_item(title="\x00\x01")
    assert parse(make_info(), [item]).entries[0].title == item.entry.id


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (dt.datetime(2024, 6, 1, 9, 30, 15, 999, tzinfo=ZONE), "2024-06-01T09:30:15-06:00"),
        (dt.datetime(2024, 6, 1, tzinfo=dt.UTC), "2024-06-01T00:00:00+00:00"),
        (dt.datetime(1890, 1, 1, tzinfo=LMT), "1890-01-01T00:16:40+00:00"),
    ],
)
def test_dates_are_rfc3339_with_a_minute_offset(published, expected):
    item = make_item(published=published)
    entry = parse(make_info(updated=published), [item]).entries[0]
    assert entry.published == entry.updated == expected


def test_naive_dates_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        render_atom(make_info(updated=dt.datetime(2024, 6, 1)), [])


@given(title=nasty_text, paragraph=nasty_text, label=nasty_text)
def test_any_text_gives_a_valid_feed_that_round_trips(title, paragraph, label):
    category = Category("MX", f"{HOST}/country/", label)
    item = make_item(title=title, summary=(paragraph,), categories=(category,))
    xml = render_atom(make_info(), [item])
    assert lint_atom(xml) == []
    # Titles are text, whatever they hold: the string JSON Feed has (issue 15).
    expected_title = clean_text(title) or item.entry.id
    title = etree.fromstring(xml).find(f"{A}entry/{A}title")
    assert (title.get("type"), title.text) == (None, expected_title)
    entry = parse(make_info(), [item]).entries[0]
    assert (entry.title_detail.type, entry.title) == ("text/plain", expected_title.strip())
    expected_label = clean_text(label) if clean_text(label).strip() else "MX"
    assert (entry.tags[0].term, entry.tags[0].label) == (expected_label, expected_label)
