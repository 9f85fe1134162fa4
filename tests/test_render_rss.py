import datetime as dt

import feedparser
import pytest
from feedlint import (
    HOST,
    ZONE,
    is_rfc822,
    lint_rss,
    make_info,
    make_item,
    nasty_text,
)
from feedparser.mixin import _FeedParserMixin
from hypothesis import given
from lxml import etree

from feeds.render import FORMATS, RSS_CONTENT_TYPE, Category, Paging, render_rss
from feeds.render.html import clean_text

A = "{http://www.w3.org/2005/Atom}"
looks_like_html = _FeedParserMixin.looks_like_html
PAGING = Paging(first=f"{HOST}/country/mx/feed.rss", next=f"{HOST}/country/mx/feed.rss?page=3")


def parse(info, items):
    parsed = feedparser.parse(render_rss(info, items))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def channel(info, items=()):
    return etree.fromstring(render_rss(info, list(items))).find("channel")


def test_registry_entry():
    rss = FORMATS["rss"]
    assert (rss.extension, rss.name, rss.media_type) == ("rss", "RSS", "application/rss+xml")
    assert rss.content_type == RSS_CONTENT_TYPE == "application/rss+xml; charset=utf-8"
    # Wrapped to add an optional stylesheet (issue 17); without one, the same bytes.
    assert rss.render(make_info(), [make_item()]) == render_rss(make_info(), [make_item()])


@pytest.mark.parametrize("count", [0, 1, 20])
def test_output_is_lint_clean(count):
    info = make_info(hubs=("https://hub.example.net/",), paging=PAGING)
    xml = render_rss(info, [make_item(n) for n in range(1, count + 1)])
    assert lint_rss(xml, url=info.self_url) == []


def test_channel_metadata():
    info = make_info(language="es-MX", generator="feeds 1.2")
    feed = parse(info, [make_item()]).feed
    assert (feed.title, feed.subtitle, feed.link) == (info.title, info.subtitle, info.html_url)
    assert (feed.language, feed.generator) == ("es-MX", "feeds 1.2")
    assert feed.docs == "https://www.rssboard.org/rss-specification"
    assert feed.updated == "Mon, 03 Jun 2024 00:00:00 -0600"


def test_empty_subtitle_falls_back_to_the_title():
    info = make_info(subtitle="")
    assert channel(info).findtext("description") == info.title


@pytest.mark.parametrize(
    ("hubs", "paging"),
    [((), Paging()), (("https://hub.example.net/",), PAGING), ((), PAGING)],
)
def test_channel_link_is_the_html_page_whatever_links_come_before(hubs, paging):
    info = make_info(hubs=hubs, paging=paging)
    assert channel(info).findtext("link") == info.html_url


def test_atom_links_for_self_hubs_and_paging():
    info = make_info(hubs=("https://hub.example.net/", "https://hub2.example.net/"), paging=PAGING)
    links = [(a.get("rel"), a.get("href"), a.get("type")) for a in channel(info).iter(f"{A}link")]
    assert links == [
        ("self", info.self_url, "application/rss+xml"),
        ("hub", "https://hub.example.net/", None),
        ("hub", "https://hub2.example.net/", None),
        ("first", PAGING.first, "application/rss+xml"),
        ("next", PAGING.next, "application/rss+xml"),
    ]


def test_items_round_trip_in_order():
    items = [make_item(3), make_item(1), make_item(2)]
    entries = parse(make_info(), items).entries
    assert [entry.id for entry in entries] == [item.entry.guid for item in items]
    first = entries[0]
    assert (first.title, first.link) == ("Item 3 & <friends>", items[0].url)
    assert first.guidislink is False
    assert first.published == "Mon, 03 Jun 2024 00:00:00 -0600"
    assert first.summary == '<p>First of 3.</p><p>Second: a &lt; b &amp; "c".</p>'
    assert [(tag.term, tag.scheme) for tag in first.tags] == [
        ("Mexico", f"{HOST}/country/"),
        ("Labour migration", f"{HOST}/topic/"),
    ]


def test_item_elements():
    item = channel(make_info(), [make_item(1)]).find("item")
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == (make_item(1).entry.guid, "false")
    assert is_rfc822(item.findtext("pubDate"))
    assert [(c.text, c.get("domain")) for c in item.iterfind("category")] == [
        ("Mexico", f"{HOST}/country/"),
        ("Labour migration", f"{HOST}/topic/"),
    ]


def test_item_without_summary_has_no_description():
    xml = render_rss(make_info(), [make_item(summary=())])
    assert etree.fromstring(xml).find("channel/item/description") is None
    assert lint_rss(xml) == []


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (dt.datetime(2024, 6, 1, 9, 30, 15, 999, tzinfo=ZONE), "Sat, 01 Jun 2024 09:30:15 -0600"),
        (dt.datetime(2024, 12, 31, tzinfo=dt.UTC), "Tue, 31 Dec 2024 00:00:00 +0000"),
    ],
)
def test_dates_are_rfc822(published, expected):
    item = make_item(published=published)
    rss = channel(make_info(updated=published), [item])
    assert rss.findtext("lastBuildDate") == rss.findtext("item/pubDate") == expected


@given(title=nasty_text, paragraph=nasty_text, label=nasty_text)
def test_any_text_gives_a_valid_feed_that_round_trips(title, paragraph, label):
    category = Category("MX", f"{HOST}/country/", label)
    item = make_item(title=title, summary=(paragraph,), categories=(category,))
    xml = render_rss(make_info(), [item])
    assert lint_rss(xml) == []
    # The title verbatim, as JSON Feed has it (issue 15): no marks inserted.
    expected_title = clean_text(title) or item.entry.id
    expected_label = clean_text(label) if clean_text(label).strip() else "MX"
    parsed = etree.fromstring(xml).find("channel/item")
    assert (parsed.findtext("title"), parsed.findtext("category")) == (
        expected_title,
        expected_label,
    )
    entry = parse(make_info(), [item]).entries[0]
    if not looks_like_html(expected_title):  # else feedparser reads it as HTML (README)
        assert entry.title == expected_title.strip()
    assert entry.tags[0].term == expected_label.strip()


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ("Mexico <script>x</script>", b"Mexico &#x3C;script&gt;x&#x3C;/script&gt;"),
        ("AT&amp;T and &#169;", b"AT&#x26;amp;T and &#x26;#169;"),
        ("3 < 4 & 5 > 2", b"3 &#x3C; 4 &#x26; 5 &gt; 2"),
    ],
)
def test_titles_write_and_and_less_than_as_hexadecimal_references(title, written):
    """The RSS Profile's rule for plain text; the text itself is unchanged."""
    xml = render_rss(make_info(title=title), [make_item(title=title, categories=())])
    assert xml.count(b"<title>" + written + b"</title>") == 2
    assert etree.fromstring(xml).findtext("channel/item/title") == title


def test_category_text_writes_hexadecimal_references():
    category = Category("x", f"{HOST}/topic/", "Trafficking & smuggling")
    xml = render_rss(make_info(), [make_item(categories=(category,))])
    assert (
        f'<category domain="{HOST}/topic/">Trafficking &#x26; smuggling</category>'.encode() in xml
    )
