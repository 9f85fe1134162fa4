"""Reading feeds over HTTP (issue 6): formats, and a clear error for every kind of failure."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import HOST, free_port
from loopback import Answer, ScriptedServer

from feeds.digest.fetch import fetch_feed
from feeds.errors import DigestSourceError

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Partner &amp; News</title><link>https://partner.example/</link>
<description>d</description>
<atom:link rel="next" href="/rss?page=2"/>
<item><title>First &lt;b&gt;item&lt;/b&gt;</title><link>https://partner.example/1</link>
<guid isPermaLink="false">urn:partner:1</guid><pubDate>Mon, 26 Apr 2021 00:00:00 -0600</pubDate>
<description>&lt;p&gt;One &lt;script&gt;evil()&lt;/script&gt;&lt;img src="https://t.example/x.gif"&gt;
para.&lt;/p&gt;&lt;p&gt;Two&amp;amp;three.&lt;/p&gt;</description></item>
<item><title>No guid, a link</title><link>/2</link></item>
<item><title>Neither guid nor link</title><description>lost</description></item>
<item><title>Script link</title><guid>urn:partner:3</guid><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Tokyo &lt;i&gt;desk&lt;/i&gt;</title>
<id>urn:tokyo</id><updated>2021-04-26T00:00:00+09:00</updated>
<link rel="alternate" href="https://tokyo.example/"/>
<entry><id>urn:tokyo:1</id><title>Café opens</title>
<link rel="alternate" href="https://tokyo.example/1"/>
<updated>2021-04-26T00:00:00+09:00</updated>
<summary type="text">Plain &lt;text&gt; summary</summary></entry>
</feed>""".encode()

JSONFEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON desk",
        "home_page_url": "https://json.example/",
        "next_url": "https://json.example/feed.json?page=2",
        "items": [
            {
                "id": "j1",
                "url": "https://json.example/1",
                "title": "Hello",
                "content_html": "<p>Rich <b>text</b></p>",
                "date_published": "2021-04-26T10:30:00Z",
            },
            {"id": "j2", "content_text": "An untitled note that says something"},
            {"title": "no id and no url"},
        ],
    }
).encode()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def test_rss_items_are_plain_text_with_absolute_safe_links(server: ScriptedServer) -> None:
    server.answers["/rss"] = Answer(RSS, "application/rss+xml")

    feed = fetch_feed(server.url("/rss"))

    assert feed.section.title == "Partner & News"
    assert feed.section.url == "https://partner.example/"
    assert feed.next_url == server.url("/rss?page=2")
    first, second, third = feed.section.items
    assert (first.guid, first.title, first.url) == (
        "urn:partner:1",
        "First item",
        "https://partner.example/1",
    )
    assert first.date == dt.datetime(2021, 4, 26, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    assert first.summary_text == "One para.\n\nTwo&three."
    assert (second.guid, second.url) == (server.url("/2"), server.url("/2"))
    assert (third.guid, third.url) == ("urn:partner:3", "")
    assert feed.warnings == (
        f"{server.url('/rss')}: skipped an entry with neither id nor link "
        "('Neither guid nor link')",
    )


def test_atom_keeps_the_day_the_publisher_meant(server: ScriptedServer) -> None:
    server.answers["/atom"] = Answer(ATOM, "application/atom+xml")

    feed = fetch_feed(server.url("/atom"))

    assert feed.section.title == "Tokyo desk"
    [item] = feed.section.items
    assert (item.title, item.summary_text, item.day) == (
        "Café opens",
        "Plain <text> summary",
        dt.date(2021, 4, 26),
    )
    assert feed.next_url is None


def test_json_feed(server: ScriptedServer) -> None:
    server.answers["/feed.json"] = Answer(JSONFEED, "application/feed+json")

    feed = fetch_feed(server.url("/feed.json"))

    assert (feed.section.title, feed.section.url) == ("JSON desk", "https://json.example/")
    assert feed.next_url == "https://json.example/feed.json?page=2"
    hello, note = feed.section.items
    assert (hello.guid, hello.title, hello.summary_text) == ("j1", "Hello", "Rich text")
    assert hello.date == dt.datetime(2021, 4, 26, 10, 30, tzinfo=dt.UTC)
    assert (note.title, note.url, note.date) == ("An untitled note that says something", "", None)
    assert len(feed.warnings) == 1


def test_a_feed_sent_gzipped(server: ScriptedServer) -> None:
    server.answers["/gz"] = Answer(
        gzip.compress(ATOM), "application/atom+xml", headers={"Content-Encoding": "gzip"}
    )

    assert [item.guid for item in fetch_feed(server.url("/gz")).section.items] == ["urn:tokyo:1"]


def test_asks_as_a_feed_reader(server: ScriptedServer) -> None:
    server.answers["/atom"] = Answer(ATOM, "application/atom+xml")

    fetch_feed(server.url("/atom"))

    [(_, headers)] = server.requests
    assert headers["User-Agent"].startswith("feeds-digest/")
    assert headers["Accept"].startswith("application/atom+xml, application/rss+xml")


def test_tolerates_the_common_unescaped_ampersand(server: ScriptedServer) -> None:
    sloppy = (
        b'<rss version="2.0"><channel><title>A & B</title>'
        b"<item><title>x & y</title><guid>g</guid></item></channel></rss>"
    )
    server.answers["/sloppy"] = Answer(sloppy, "application/rss+xml")

    feed = fetch_feed(server.url("/sloppy"))

    assert [item.title for item in feed.section.items] == ["x & y"]
    assert feed.warnings == (
        f"{server.url('/sloppy')} is not well-formed XML (not well-formed "
        "(invalid token)); read it anyway, as feed readers do",
    )


BROKEN_XML = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title>'
    b"<item><title>Whole</title><guid>g1</guid></item><item><title>Half"
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(b"oops", "text/plain", 500), "answered HTTP 500 Internal Server Error"),
        (
            Answer(
                b"404 Not Found: unknown country 'atlantis'\n", "text/plain; charset=utf-8", 404
            ),
            "answered HTTP 404 Not Found: 404 Not Found: unknown country 'atlantis'",
        ),
        (
            Answer(BROKEN_XML),
            "is malformed XML (no element found) and its entries cannot all "
            "be read whole, so it is not used",
        ),
        (
            Answer(b"<!doctype html><title>Home</title><p>Hi", "text/html; charset=utf-8"),
            "is not an RSS, Atom or JSON Feed document (text/html)",
        ),
        (
            Answer(b'{"version": "1", "items": []}', "application/json"),
            "is JSON but not a JSON Feed",
        ),
        (Answer(b'{"version": ', "application/feed+json"), "is malformed JSON"),
        (Answer(b"", "application/xml"), "is not an RSS, Atom or JSON Feed document"),
    ],
    ids=["500", "404-explained", "invalid-xml", "html-page", "other-json", "bad-json", "empty"],
)
def test_a_source_that_is_not_a_usable_feed_is_a_clear_error(
    server: ScriptedServer, answer: Answer, expected: str
) -> None:
    server.answers["/feed"] = answer

    with pytest.raises(DigestSourceError) as caught:
        fetch_feed(server.url("/feed"))

    assert str(caught.value).startswith(server.url("/feed"))
    assert expected in str(caught.value)


def test_a_slow_server_times_out(server: ScriptedServer) -> None:
    server.answers["/slow"] = Answer(ATOM, delay=1.0)

    with pytest.raises(DigestSourceError, match=r"/slow did not answer within 0\.5 s$"):
        fetch_feed(server.url("/slow"), timeout=0.5)


def test_a_closed_port_is_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/feeds/all.atom"

    with pytest.raises(DigestSourceError, match=f"^cannot connect to {url}: connection refused$"):
        fetch_feed(url)


def test_only_http_urls(tmp_path: Path) -> None:
    with pytest.raises(DigestSourceError, match="is not an http"):
        fetch_feed((tmp_path / "feed.xml").as_uri())


def test_a_body_naming_a_local_file_is_not_read_as_that_file(
    server: ScriptedServer, tmp_path: Path
) -> None:
    # feedparser opens bytes as a file name when such a file exists.
    local = tmp_path / "secret.xml"
    local.write_bytes(ATOM)
    server.answers["/trick"] = Answer(str(local).encode(), "text/plain")

    with pytest.raises(DigestSourceError, match="is not an RSS, Atom or JSON Feed document"):
        fetch_feed(server.url("/trick"))


# --- Hostile servers (issue 14) -------------------------------------------------------


def test_a_gzip_bomb_is_refused_without_inflating_it(server: ScriptedServer) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB in ~64 KB
    assert len(bomb) < 1024 * 1024  # well inside the 10 MB limit for what is sent
    server.answers["/bomb"] = Answer(bomb, headers={"Content-Encoding": "gzip"})

    with pytest.raises(DigestSourceError, match="larger than 10 MB once decompressed"):
        fetch_feed(server.url("/bomb"))


def test_a_truncated_gzip_body_is_damaged(server: ScriptedServer) -> None:
    server.answers["/cut"] = Answer(gzip.compress(RSS)[:-12], headers={"Content-Encoding": "gzip"})

    with pytest.raises(DigestSourceError, match="damaged gzip body"):
        fetch_feed(server.url("/cut"))


@contextlib.contextmanager
def trickling_server(headers_first: bool) -> Iterator[str]:
    """A loopback server that sends a byte every 0.1 s, forever: after its headers (a
    body that never ends), or before them (a status line that never ends)."""
    listener = socket.create_server((HOST, 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                if headers_first:
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        b"Content-Length: 100000\r\n\r\n"
                    )
                with contextlib.suppress(OSError):
                    while not stop.wait(0.1):
                        connection.sendall(b"<" if headers_first else b"H")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{listener.getsockname()[1]}/feed"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("headers_first", [True, False], ids=["trickled-body", "trickled-head"])
def test_the_timeout_is_a_deadline_for_the_whole_fetch(headers_first: bool) -> None:
    with trickling_server(headers_first) as url:
        started = time.monotonic()
        with pytest.raises(DigestSourceError, match=r"did not answer within 1 s"):
            fetch_feed(url, timeout=1)
        took = time.monotonic() - started

    assert took < 3  # a byte every 0.1 s would have held a per-read timeout forever
