"""The checker catches each rule on a hand-made document that breaks only that rule."""

import copy
import json

import pytest
from feedlint import (
    is_rfc822,
    is_rfc3339,
    lint_atom,
    lint_jsonfeed,
    lint_opml,
    lint_rss,
    relative_urls,
)

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.org,2024:feed</id>
  <title>Feed</title>
  <updated>2024-06-01T00:00:00Z</updated>
  <author><name>Newsroom</name></author>
  <link rel="alternate" type="text/html" href="https://example.org/"/>
  <link rel="self" type="application/atom+xml" href="https://example.org/feed.atom"/>
  <entry>
    <id>tag:example.org,2024:one</id>
    <title>One</title>
    <updated>2024-06-01T00:00:00-06:00</updated>
    <published>2024-06-01T00:00:00-06:00</published>
    <link rel="alternate" type="text/html" href="https://example.org/one"/>
    <summary type="html">&lt;p&gt;&lt;a href="https://example.org/x"&gt;One&lt;/a&gt;&lt;/p&gt;</summary>
  </entry>
  <entry>
    <id>tag:example.org,2024:two</id>
    <title>Two</title>
    <updated>2024-06-02T00:00:00.5+05:30</updated>
    <link href="https://example.org/two"/>
    <summary>Plain text, 1 &lt; 2</summary>
  </entry>
</feed>
"""

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Feed</title>
  <link>https://example.org/</link>
  <description>About</description>
  <atom:link href="https://example.org/feed.rss" rel="self" type="application/rss+xml"/>
  <atom:link href="https://example.org/feed.rss?page=2" rel="next" type="application/rss+xml"/>
  <language>en-us</language>
  <docs>https://www.rssboard.org/rss-specification</docs>
  <ttl>60</ttl>
  <lastBuildDate>Sat, 01 Jun 2024 00:00:00 -0600</lastBuildDate>
  <item>
    <title>One</title>
    <link>https://example.org/one</link>
    <description>&lt;p&gt;&lt;a href="https://example.org/x"&gt;One&lt;/a&gt;&lt;/p&gt;</description>
    <guid isPermaLink="false">tag:example.org,2024:one</guid>
    <category domain="https://example.org/country/">Mexico</category>
    <pubDate>Sat, 01 Jun 2024 00:00:00 -0600</pubDate>
  </item>
  <item>
    <title>Two</title>
    <guid>https://example.org/two</guid>
    <pubDate>2 Jun 2024 00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"""

PUB = "Sat, 01 Jun 2024 00:00:00 -0600</pubDate>"

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head>
    <title>Feeds</title>
    <dateModified>Sat, 01 Jun 2024 00:00:00 GMT</dateModified>
  </head>
  <body>
    <outline text="Countries">
      <outline type="rss" text="Mexico" xmlUrl="https://example.org/mx.atom"
               htmlUrl="https://example.org/mx"/>
    </outline>
  </body>
</opml>
"""

JSONFEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Feed",
    "home_page_url": "https://example.org/",
    "feed_url": "https://example.org/feed.json",
    "authors": [{"name": "Newsroom"}],
    "hubs": [{"type": "WebSub", "url": "https://hub.example.net/"}],
    "_paging": {"next": "https://example.org/feed.json?page=2"},
    "items": [
        {
            "id": "tag:example.org,2024:one",
            "url": "https://example.org/one",
            "content_html": '<p><a href="https://example.org/x">One</a></p>',
            "date_published": "2024-06-01T00:00:00-06:00",
            "tags": ["Mexico"],
        },
        {"id": "tag:example.org,2024:two", "content_text": "Two"},
    ],
}


def test_good_documents_are_clean():
    assert lint_atom(ATOM, url="https://example.org/feed.atom") == []
    assert lint_rss(RSS, url="https://example.org/feed.rss") == []
    assert lint_opml(OPML) == []
    assert lint_jsonfeed(json.dumps(JSONFEED).encode(), url="https://example.org/feed.json") == []


def swap(document: bytes, old: str, new: str) -> bytes:
    assert old.encode() in document, old
    return document.replace(old.encode(), new.encode(), 1)


# Only what the W3C validator does not check: tests/test_w3c.py runs the validator itself.
@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("<feed xmlns", "<rss xmlns", "not well-formed"),
        ('xmlns="http://www.w3.org/2005/Atom"', "", "not atom:feed"),
        ('rel="self" type="application/atom+xml"', 'rel="self"', "link rel='self' has no type"),
        ('href="https://example.org/one"', 'href="/one"', "'/one' is not an absolute URL"),
        ("https://example.org/x", "x.html", "entry 1 summary: relative URL 'x.html'"),
        ('href="https://example.org/x"', 'src="//cdn/x.png"', "relative URL '//cdn/x.png'"),
        ('<link rel="alternate" type="text/html" href="https://example.org/"/>', "", "first link"),
        ("<title>One</title>", '<title type="html">One</title>', "title is not text but 'html'"),
    ],
)
def test_atom_rules(old, new, problem):
    problems = lint_atom(swap(ATOM, old, new))
    assert any(problem in message for message in problems), problems


@pytest.mark.parametrize("lint", [lint_atom, lint_rss, lint_jsonfeed])
def test_self_must_match_the_served_url(lint):
    documents = {lint_atom: ATOM, lint_rss: RSS, lint_jsonfeed: json.dumps(JSONFEED).encode()}
    problems = lint(documents[lint], url="https://example.org/elsewhere")
    assert any("does not match 'https://example.org/elsewhere'" in p for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('version="2.0"', 'version="0.91"', "not an RSS 2.0 document"),
        ('rel="self" type="application/rss+xml"', 'rel="self"', "rel='self' has no type"),
        ('href="https://example.org/feed.rss"', 'href="feed.rss"', "href 'feed.rss' is not"),
        (
            "<link>https://example.org/</link>",
            "<link>https://example.org/feed.rss?page=2</link>",
            "is a feed link",
        ),
        ('domain="https://example.org/country/"', 'domain="country"', "category domain 'country'"),
        ("https://example.org/x", "/x", "item 1: description has relative URL '/x'"),
        ('href="https://example.org/x"', 'src="//cdn/x.png"', "relative URL '//cdn/x.png'"),
    ],
)
def test_rss_rules(old, new, problem):
    problems = lint_rss(swap(RSS, old, new))
    assert any(problem in message for message in problems), problems


def _set(path, value):
    def mutate(feed):
        *parents, last = path
        for key in parents:
            feed = feed[key]
        if value is None:
            del feed[last]
        else:
            feed[last] = value

    return mutate


def _both_authors(feed):
    feed["items"][0].update(author={"name": "A"}, authors=[{"name": "A"}])


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_set(["version"], "https://jsonfeed.org/version/1"), "feed: version"),
        (_set(["title"], ""), "feed: no title"),
        (_set(["feed_url"], None), "feed: no feed_url"),
        (_set(["feed_url"], "/feed.json"), "feed_url '/feed.json' is not an absolute URL"),
        (_set(["home_page_url"], "example.org"), "home_page_url 'example.org'"),
        (_set(["next_url"], "?page=2"), "next_url '?page=2'"),
        (_set(["generator"], "feeds"), "unknown key 'generator'"),
        (_set(["author"], {"name": "Newsroom"}), "deprecated 'author' beside 'authors'"),
        (_set(["authors", 0, "name"], None), "has no name"),
        (_set(["hubs", 0, "url"], None), "needs a type and an absolute url"),
        (_set(["items"], {}), "items is not an array"),
        (_set(["items", 0], "one"), "item 1: not an object"),
        (_set(["items", 0, "id"], 1), "item 1: id 1 is not a non-empty string"),
        (_set(["items", 1, "id"], "tag:example.org,2024:one"), "duplicate item id"),
        (_set(["items", 1, "content_text"], None), "item 2: neither content_html nor content_text"),
        (_set(["items", 0, "url"], "/one"), "item 1: url '/one'"),
        (_set(["items", 0, "date_published"], "2024-06-01"), "date_published '2024-06-01'"),
        (_set(["items", 0, "tags"], "Mexico"), "tags is not an array of strings"),
        (_set(["items", 0, "image_url"], "x"), "item 1: unknown key 'image_url'"),
        (_both_authors, "item 1: deprecated 'author' beside 'authors'"),
        (_set(["items", 0, "content_html"], '<img src="a.png">'), "relative URL 'a.png'"),
    ],
)
def test_jsonfeed_rules(mutate, problem):
    feed = copy.deepcopy(JSONFEED)
    mutate(feed)
    problems = lint_jsonfeed(json.dumps(feed).encode())
    assert any(problem in message for message in problems), problems


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"{", "not UTF-8 JSON"), (b"\xff{}", "not UTF-8 JSON"), (b"[]", "not an object")],
)
def test_jsonfeed_that_is_not_a_feed(data, problem):
    assert problem in lint_jsonfeed(data)[0]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('version="2.0"', 'version="1.0"', "not an OPML 2.0 document"),
        ("<title>Feeds</title>", "", "head: no title"),
        ('xmlUrl="https://example.org/mx.atom"', 'xmlUrl="mx.atom"', "outline 2: xmlUrl 'mx.atom'"),
    ],
)
def test_opml_rules(old, new, problem):
    problems = lint_opml(swap(OPML, old, new))
    assert any(problem in message for message in problems), problems


def test_opml_needs_an_outline():
    empty = OPML[: OPML.index(b"<body>")] + b"<body/></opml>"
    assert lint_opml(empty) == ["body: no outline"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("Sat, 01 Jun 2024 00:00:00 -0600", True),
        ("1 Jun 2024 00:00 GMT", True),
        ("Sat, 01 Jun 2024 00:00:00 EST", True),
        ("Sat, 01 Jun 24 00:00:00 -0600", False),
        ("Sun, 01 Jun 2024 00:00:00 -0600", False),
        ("Sat, 01 June 2024 00:00:00 -0600", False),
        ("Sat, 01 Jun 2024 00:00:00", False),
        ("", False),
    ],
)
def test_is_rfc822(value, valid):
    assert is_rfc822(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-06-01T00:00:00Z", True),
        ("2024-06-01T00:00:00.123+05:30", True),
        ("2024-06-01T00:00:00", False),
        ("2024-06-01", False),
        ("2024-02-30T00:00:00Z", False),
        ("2024-06-01T00:00:00+0530", False),
    ],
)
def test_is_rfc3339(value, valid):
    assert is_rfc3339(value) is valid


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<a href="https://example.org/">x</a><img src="http://example.org/a.png">', []),
        ('<a href="mailto:press@example.org">x</a>', []),
        ('<a href="/x">x</a><img src="a.png"><a href="//cdn/x">y</a>', ["/x", "a.png", "//cdn/x"]),
        ("&lt;a href='/x'&gt; is text", []),
    ],
)
def test_relative_urls(html, found):
    assert relative_urls(html) == found
