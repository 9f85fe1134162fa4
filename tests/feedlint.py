"""Offline checks of what the W3C Feed Validation Service does not check.

The validator itself runs in tests/test_w3c.py (tests/w3c.py). What is left here: JSON
Feed 1.1, which it does not know, and our own rules for Atom, RSS and OPML (absolute
URLs everywhere, typed self links, the HTML page first in Atom, text titles, no
protocol-relative URLs in HTML). Each ``lint_*`` returns human-readable problems; an
empty list means clean. Pass ``url`` to also check that the self link names the
document where it is served.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st
from lxml import etree

from feeds.archive.entry import Entry, Source
from feeds.render import Category, FeedInfo, FeedItem

ATOM = "{http://www.w3.org/2005/Atom}"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_RFC822 = re.compile(
    r"(?:(?P<day>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(?P<date>\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}) "
    r"\d\d:\d\d(?::\d\d)? (?:[+-]\d{4}|UT|GMT|[ECMP][SD]T)"
)


#: RFC 3986 section 4.3: a scheme, then anything; a tag URI (RFC 4151) is one.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def is_absolute_url(value: str | None) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in (value or "")


def is_rfc3339(value: str | None) -> bool:
    if not value or not _RFC3339.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_rfc822(value: str | None) -> bool:
    """RFC 822 as amended by RFC 1123 (4-digit year), with a day of week that is right."""
    match = _RFC822.fullmatch(value or "")
    if not match:
        return False
    try:
        date = dt.datetime.strptime(match["date"], "%d %b %Y")
    except ValueError:
        return False
    return match["day"] is None or date.strftime("%a") == match["day"]


def relative_urls(html: str) -> list[str]:
    """``href``/``src`` values in ``html`` that are not absolute (readers resolve them wrongly)."""
    found: list[str] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v or "" for k, v in attrs if k in ("href", "src") and not _abs(v))

    Collector().feed(html)
    return found


def _abs(value: str | None) -> bool:
    return is_absolute_url(value) or (value or "").startswith(("mailto:", "data:"))


def _parse_xml(xml: bytes) -> tuple[Any, list[str]]:
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False)), []
    except etree.XMLSyntaxError as error:
        return None, [f"not well-formed XML: {error}"]


def _duplicates(values: Iterable[Any]) -> list[Any]:
    return [value for value, count in Counter(values).items() if count > 1]


def _links(parent: Any, where: str) -> list[str]:
    problems = []
    for link in parent.iterfind(f"{ATOM}link"):
        href, rel = link.get("href"), link.get("rel", "alternate")
        if not is_absolute_url(href):
            problems.append(f"{where}: link rel={rel!r} href {href!r} is not an absolute URL")
        if rel == "self" and not link.get("type"):
            problems.append(f"{where}: link rel='self' has no type")
    return problems


# Atom 1.0, RFC 4287: our own rules; the W3C validator's are in tests/test_w3c.py


def lint_atom(xml: bytes, url: str | None = None) -> list[str]:
    feed, problems = _parse_xml(xml)
    if feed is None:
        return problems
    if feed.tag != f"{ATOM}feed":
        return [f"root element is {feed.tag}, not atom:feed"]
    problems += _links(feed, "feed")
    first = feed.find(f"{ATOM}link")
    if first is None or first.get("rel", "alternate") != "alternate":
        problems.append("feed: the first link is not the HTML page (rel='alternate')")
    problems += _self_is(feed, url, "feed")
    for number, entry in enumerate(feed.findall(f"{ATOM}entry"), 1):
        where = f"entry {number}"
        problems += _links(entry, where)
        title = entry.find(f"{ATOM}title")
        if title is not None and title.get("type", "text") != "text":
            problems.append(f"{where}: title is not text but {title.get('type')!r}")
        for name in ("summary", "content"):
            element = entry.find(f"{ATOM}{name}")
            if element is not None and element.get("type") == "html":
                problems += [
                    f"{where} {name}: relative URL {href!r}"
                    for href in relative_urls(element.text or "")
                ]
    return problems


def _self_is(parent: Any, url: str | None, where: str) -> list[str]:
    return [
        f"{where}: self link {link.get('href')!r} does not match {url!r}"
        for link in parent.iterfind(f"{ATOM}link")
        if link.get("rel") == "self" and url is not None and link.get("href") != url
    ]


# RSS 2.0 and the RSS Profile: our own rules; the W3C validator's are in tests/test_w3c.py


def lint_rss(xml: bytes, url: str | None = None) -> list[str]:
    rss, problems = _parse_xml(xml)
    if rss is None:
        return problems
    channel = rss.find("channel")
    if rss.tag != "rss" or rss.get("version") != "2.0" or channel is None:
        return ["not an RSS 2.0 document (<rss version='2.0'><channel>)"]
    problems += _links(channel, "channel")
    problems += _self_is(channel, url, "channel")
    link = channel.findtext("link")
    atom_links = channel.findall(f"{ATOM}link")
    if link in {a.get("href") for a in atom_links if a.get("rel", "alternate") != "alternate"}:
        problems.append(f"channel: link {link!r} is a feed link, not the HTML page")
    for number, item in enumerate(channel.findall("item"), 1):
        where = f"item {number}"
        for category in item.iterfind("category"):
            domain = category.get("domain")
            if domain is not None and not _ABSOLUTE_URI.fullmatch(domain):
                problems.append(f"{where}: category domain {domain!r} is not an absolute URI")
        description = item.findtext("description") or ""
        problems += [
            f"{where}: description has relative URL {u!r}" for u in relative_urls(description)
        ]
    return problems


# JSON Feed 1.1

# fmt: off
_JSONFEED_KEYS = frozenset({
    "version", "title", "home_page_url", "feed_url", "description", "user_comment",
    "next_url", "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items",
})
_JSONFEED_ITEM_KEYS = frozenset({
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
    "banner_image", "date_published", "date_modified", "authors", "author", "tags",
    "language", "attachments",
})
# fmt: on


def lint_jsonfeed(data: bytes, url: str | None = None) -> list[str]:
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not UTF-8 JSON: {error}"]
    if not isinstance(feed, dict):
        return ["top level is not an object"]
    problems = _jsonfeed_object(feed, _JSONFEED_KEYS, "feed")
    if feed.get("version") != JSONFEED_VERSION:
        problems.append(f"feed: version {feed.get('version')!r} is not {JSONFEED_VERSION!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("feed: no title")
    for key in ("feed_url", "home_page_url", "next_url", "icon", "favicon"):
        if key in feed and not is_absolute_url(feed[key]):
            problems.append(f"feed: {key} {feed[key]!r} is not an absolute URL")
    if "feed_url" not in feed:
        problems.append("feed: no feed_url")
    elif url is not None and feed["feed_url"] != url:
        problems.append(f"feed: feed_url {feed['feed_url']!r} does not match {url!r}")
    for hub in feed.get("hubs", []):
        if not isinstance(hub, dict) or not hub.get("type") or not is_absolute_url(hub.get("url")):
            problems.append(f"feed: hub {hub!r} needs a type and an absolute url")
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "feed: items is not an array"]
    for number, item in enumerate(items, 1):
        problems += _jsonfeed_item(item, f"item {number}")
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    problems += [f"duplicate item id {item_id!r}" for item_id in _duplicates(ids)]
    return problems


def _jsonfeed_object(obj: dict[str, Any], keys: frozenset[str], where: str) -> list[str]:
    problems = [
        f"{where}: unknown key {key!r} (extensions start with '_')"
        for key in obj
        if key not in keys and not key.startswith("_")
    ]
    if "author" in obj and "authors" in obj:
        problems.append(f"{where}: deprecated 'author' beside 'authors'")
    for author in obj.get("authors", []):
        if not isinstance(author, dict) or not author.get("name"):
            problems.append(f"{where}: author {author!r} has no name")
    return problems


def _jsonfeed_item(item: Any, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: not an object"]
    problems = _jsonfeed_object(item, _JSONFEED_ITEM_KEYS, where)
    if not isinstance(item.get("id"), str) or not item["id"]:
        problems.append(f"{where}: id {item.get('id')!r} is not a non-empty string")
    if "content_html" not in item and "content_text" not in item:
        problems.append(f"{where}: neither content_html nor content_text")
    if "url" in item and not is_absolute_url(item["url"]):
        problems.append(f"{where}: url {item['url']!r} is not an absolute URL")
    for key in ("date_published", "date_modified"):
        if key in item and not is_rfc3339(item[key]):
            problems.append(f"{where}: {key} {item[key]!r} is not an RFC 3339 date")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        problems.append(f"{where}: tags is not an array of strings")
    html = item.get("content_html", "")
    problems += [f"{where}: content_html has relative URL {u!r}" for u in relative_urls(html)]
    return problems


# OPML 2.0


def lint_opml(xml: bytes) -> list[str]:
    """Our own rules; the W3C validator knows only OPML 1.0 (tests/test_w3c.py)."""
    opml, problems = _parse_xml(xml)
    if opml is None:
        return problems
    if opml.tag != "opml" or opml.get("version") != "2.0":
        return ["not an OPML 2.0 document (<opml version='2.0'>)"]
    head, body = opml.find("head"), opml.find("body")
    if head is None or not (head.findtext("title") or "").strip():
        problems.append("head: no title")
    if body is None or body.find("outline") is None:
        return [*problems, "body: no outline"]
    for number, outline in enumerate(body.iter("outline"), 1):
        xml_url = outline.get("xmlUrl")
        if xml_url is not None and not is_absolute_url(xml_url):
            problems.append(f"outline {number}: xmlUrl {xml_url!r} is not an absolute URL")
    return problems


# Sample input shared by the render tests (conftest.py belongs to another change).

ZONE = dt.timezone(dt.timedelta(hours=-6), "CST")
HOST = "https://news.example.org"
MEXICO = Category("MX", f"{HOST}/country/", "Mexico")
MIGRATION = Category("labour-migration", f"{HOST}/topic/", "Labour migration")

#: Text as the parser could hand it over, and worse: markup, entities, CDATA ends,
#: quotes, emoji, right-to-left text, controls, surrogates and non-characters.
_NASTY = ["<script>", "</p>", "&", "&amp;", '"', "'", "]]>", "😀", "שלום", "\u202e", "\x00", "\x1b",
          "\x7f", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff", "\u2028"]  # fmt: skip
nasty_text = (
    st.lists(st.one_of(st.sampled_from(_NASTY), st.characters(), st.text()), min_size=1)
    .map(lambda parts: " ".join("".join(parts).split()))
    .filter(bool)
)


def make_item(
    number: int = 1,
    *,
    title: str | None = None,
    summary: tuple[str, ...] | None = None,
    guid: str | None = None,
    categories: tuple[Category, ...] = (MEXICO, MIGRATION),
    published: dt.datetime | None = None,
) -> FeedItem:
    """Item ``number`` (1 to 28) of June 2024, published by default at midnight in ``ZONE``."""
    entry = Entry(
        id=f"2024-06-{number:02}-item-{number}",
        guid=guid or f"tag:news.example.org,2024-06-{number:02}:item-{number}",
        date=dt.date(2024, 6, number),
        title=f"Item {number} & <friends>" if title is None else title,
        summary=(f"First of {number}.", 'Second: a < b & "c".') if summary is None else summary,
        source=Source("2024.txt", number),
        countries=("MX",),
        topics=("labour-migration",),
    )
    published = published or dt.datetime(2024, 6, number, tzinfo=ZONE)
    return FeedItem(entry, f"{HOST}/entries/{entry.id}", published, categories)


def make_info(**overrides: Any) -> FeedInfo:
    fields: dict[str, Any] = {
        "title": "Newsroom — Mexico",
        "subtitle": "Press releases about Mexico",
        "feed_id": "tag:news.example.org,2024:country/MX",
        "self_url": f"{HOST}/country/mx/feed.atom?page=2",
        "html_url": f"{HOST}/country/mx",
        "updated": dt.datetime(2024, 6, 3, tzinfo=ZONE),
    }
    return FeedInfo(**(fields | overrides))
