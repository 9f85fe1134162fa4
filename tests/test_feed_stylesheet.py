"""Feeds readable in a browser (issue 17): Atom and RSS name a CSS stylesheet in an
``<?xml-stylesheet?>`` processing instruction, and no client sees a difference."""

from __future__ import annotations

import feedparser
import pytest
from lxml import etree
from w3c import needs_w3c, problems

from feeds.render.model import with_stylesheet

BASE = "http://localhost"
STYLESHEET = f'<?xml-stylesheet type="text/css" href="{BASE}/static/feed.css"?>'.encode()
FEEDS = ["/feeds/all.atom", "/feeds/country/mexico.rss", "/feeds/all.atom?q=migrant&limit=5&page=2"]


def without_stylesheet(document: bytes) -> bytes:
    assert document.count(STYLESHEET) == 1
    return document.replace(b"\n" + STYLESHEET, b"")


@pytest.mark.parametrize("url", FEEDS)
def test_xml_feeds_name_the_stylesheet_after_the_declaration(client, url):
    document = client.get(url).data
    declaration, instruction = document.split(b"\n")[:2]
    assert declaration.startswith(b"<?xml ")
    assert instruction == STYLESHEET
    (pi,) = etree.fromstring(document).getroottree().getroot().itersiblings(preceding=True)
    assert pi.target == "xml-stylesheet" and pi.get("type") == "text/css"
    with client.get("/static/feed.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_json_feeds_and_opml_have_none(client):
    assert b"xml-stylesheet" not in client.get("/feeds/all.json").data
    assert b"xml-stylesheet" not in client.get("/feeds.opml").data


@pytest.mark.parametrize("url", FEEDS)
def test_feedparser_reads_the_same_feed(client, url):
    document = client.get(url).data
    styled, plain = feedparser.parse(document), feedparser.parse(without_stylesheet(document))
    assert styled.bozo == plain.bozo == 0
    assert styled.feed == plain.feed
    assert styled.entries == plain.entries


@needs_w3c
@pytest.mark.parametrize("url", FEEDS)
def test_the_w3c_validator_sees_no_difference(client, url):
    document = client.get(url).data
    assert problems(document, BASE + url) == []
    assert problems(without_stylesheet(document), BASE + url) == []


@pytest.mark.parametrize(
    ("xml", "href", "expected"),
    [
        (b"<?xml version='1.0'?>\n<a/>", "x.css", b"<?xml version='1.0'?>\n"
         b'<?xml-stylesheet type="text/css" href="x.css"?>\n<a/>'),
        (b"<a/>", "s.css?a=1&b=\"2\"", b'<?xml-stylesheet type="text/css" '
         b'href="s.css?a=1&amp;b=&quot;2&quot;"?>\n<a/>'),
        (b"<a/>", None, b"<a/>"),
    ],
)  # fmt: skip
def test_with_stylesheet(xml, href, expected):
    assert with_stylesheet(xml, href) == expected
