import datetime as dt
import json

import pytest
from feedlint import HOST, MEXICO, MIGRATION, lint_jsonfeed, make_info, make_item, nasty_text
from hypothesis import given

from feeds.render import FORMATS, JSONFEED_CONTENT_TYPE, Category, Paging, render_jsonfeed
from feeds.render.html import clean_text

PAGING = Paging(
    first=f"{HOST}/country/mx/feed.json",
    previous=f"{HOST}/country/mx/feed.json?page=1",
    next=f"{HOST}/country/mx/feed.json?page=3",
    last=f"{HOST}/country/mx/feed.json?page=9",
)

MEXICO_TOPIC = Category("mexico", f"{HOST}/topic/", "Mexico")


def load(info, items):
    return json.loads(render_jsonfeed(info, items))


def test_registry_entry():
    feed = FORMATS["json"]
    assert (feed.extension, feed.name, feed.media_type) == (
        "json",
        "JSON Feed",
        "application/feed+json",
    )
    assert feed.content_type == JSONFEED_CONTENT_TYPE == "application/feed+json; charset=utf-8"
    assert feed.render is render_jsonfeed


@pytest.mark.parametrize("count", [0, 1, 20])
def test_output_is_lint_clean(count):
    info = make_info(hubs=("https://hub.example.net/",), paging=PAGING)
    data = render_jsonfeed(info, [make_item(n) for n in range(1, count + 1)])
    assert lint_jsonfeed(data, url=info.self_url) == []


def test_top_level():
    info = make_info(author_uri=f"{HOST}/about", language="es-MX")
    feed = load(info, [])
    assert feed == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.html_url,
        "feed_url": info.self_url,
        "description": info.subtitle,
        "language": "es-MX",
        "authors": [{"name": "Newsroom", "url": f"{HOST}/about"}],
        "items": [],
    }


def test_empty_subtitle_and_author_fall_back():
    feed = load(make_info(subtitle="\x00", author_name=""), [])
    assert (feed["description"], feed["authors"]) == (feed["title"], [{"name": "Newsroom"}])


def test_paging_next_url_and_extension_object():
    feed = load(make_info(paging=PAGING), [])
    assert feed["next_url"] == PAGING.next
    assert feed["_paging"] == {
        "about": "https://www.rfc-editor.org/rfc/rfc5005#section-3",
        "first": PAGING.first,
        "previous": PAGING.previous,
        "next": PAGING.next,
        "last": PAGING.last,
    }


@pytest.mark.parametrize(
    ("paging", "keys"),
    [(Paging(), set()), (Paging(first=PAGING.first), {"_paging"})],
)
def test_no_next_url_on_the_last_page(paging, keys):
    feed = load(make_info(paging=paging), [])
    assert {"next_url", "_paging"} & feed.keys() == keys


def test_websub_hubs():
    info = make_info(hubs=("https://hub.example.net/",))
    feed = load(info, [])
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]


def test_items_in_order_with_every_field():
    items = [make_item(3), make_item(1)]
    loaded = load(make_info(), items)["items"]
    assert [item["id"] for item in loaded] == [item.entry.guid for item in items]
    assert loaded[0] == {
        "id": items[0].entry.guid,
        "url": items[0].url,
        "title": "Item 3 & <friends>",
        "content_html": '<p>First of 3.</p><p>Second: a &lt; b &amp; "c".</p>',
        "content_text": 'First of 3.\n\nSecond: a < b & "c".',
        "date_published": "2024-06-03T00:00:00-06:00",
        "date_modified": "2024-06-03T00:00:00-06:00",
        "language": "en",
        "tags": ["Mexico", "Labour migration"],
    }


@pytest.mark.parametrize(
    ("categories", "tags"),
    [
        ((), None),
        ((MEXICO, MEXICO_TOPIC, MIGRATION), ["Mexico", "Labour migration"]),
    ],
)
def test_tags_are_distinct_labels(categories, tags):
    item = load(make_info(), [make_item(categories=categories)])["items"][0]
    assert item.get("tags") == tags


def test_dates_with_sub_minute_offsets_become_utc():
    odd = dt.datetime(1890, 1, 1, tzinfo=dt.timezone(dt.timedelta(seconds=-1000)))
    assert (
        load(make_info(), [make_item(published=odd)])["items"][0]["date_published"]
        == "1890-01-01T00:16:40+00:00"
    )


def test_embed_safe_escapes():
    item = make_item(title="</script> & <b>\u2028\u2029", summary=("ü 😀",))
    data = render_jsonfeed(make_info(), [item])
    assert not any(char in data.decode() for char in "<>&\u2028\u2029")
    assert "ü 😀".encode() in data  # ensure_ascii=False: UTF-8, not \\u escapes
    assert json.loads(data)["items"][0]["title"] == "</script> & <b>\u2028\u2029"


def test_same_input_gives_the_same_bytes():
    info = make_info(hubs=("https://hub.example.net/",), paging=PAGING)
    items = [make_item(n) for n in range(1, 6)]
    assert render_jsonfeed(info, items) == render_jsonfeed(info, list(items))


@given(title=nasty_text, paragraph=nasty_text, label=nasty_text)
def test_any_text_round_trips(title, paragraph, label):
    category = Category("MX", f"{HOST}/country/", label)
    item = make_item(title=title, summary=(paragraph,), categories=(category,))
    data = render_jsonfeed(make_info(), [item])
    assert lint_jsonfeed(data) == []
    loaded = json.loads(data)["items"][0]
    assert loaded["title"] == (clean_text(title) or item.entry.id)
    assert loaded["content_text"] == clean_text(paragraph)
    assert loaded["tags"] == [clean_text(label) or "MX"]


def test_naive_dates_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        render_jsonfeed(make_info(), [make_item(published=dt.datetime(2024, 6, 1))])
