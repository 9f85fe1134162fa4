"""End to end: ``feeds serve`` (gunicorn) on a loopback port, spoken to over real HTTP."""

from __future__ import annotations

import gzip
import json
import time
import urllib.error
import urllib.request

import feedparser
import pytest
from feedlint import lint_atom, lint_jsonfeed, lint_opml, lint_rss


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 3xx is the answer under test
        return None


#: Never a proxy for loopback, whatever the environment says; redirects are not followed.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
TIMEOUT = 10


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # urllib raises for 304 and 4xx
        with error:
            return error.code, dict(error.headers), error.read()


def test_health_over_http(live_server):
    status, headers, body = fetch(f"{live_server}/healthz")
    assert status == 200
    assert headers["Server"].startswith("gunicorn")  # the production server, not Flask's
    health = json.loads(body)
    assert (health["status"], health["entries"]) == ("ok", 20)


@pytest.mark.parametrize("path", ["all", "country/mexico", "topic/labour-migration"])
@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_feeds_over_http_parse_in_feedparser(live_server, path, extension):
    url = f"{live_server}/feeds/{path}.{extension}"
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == f"application/{extension}+xml; charset=utf-8"
    assert (lint_atom if extension == "atom" else lint_rss)(body, url) == []
    parsed = feedparser.parse(body, response_headers={"content-type": headers["Content-Type"]})
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries
    assert all(entry.link.startswith(f"{live_server}/entries/") for entry in parsed.entries)
    assert parsed.feed.title.startswith("Newsroom — ")


def test_json_feed_and_opml_over_http(live_server):
    url = f"{live_server}/feeds/all.json?limit=5"
    status, headers, body = fetch(url)
    assert (status, headers["Content-Type"]) == (200, "application/feed+json; charset=utf-8")
    assert lint_jsonfeed(body, url) == []
    assert len(json.loads(body)["items"]) == 5
    status, headers, body = fetch(f"{live_server}/feeds.opml")
    assert (status, headers["Content-Type"]) == (200, "text/x-opml; charset=utf-8")
    assert lint_opml(body) == []


@pytest.mark.parametrize("url", ["/feeds/all.atom", "/country/mexico", "/feeds.opml"])
def test_conditional_get_over_the_wire(live_server, url):
    status, headers, _body = fetch(live_server + url)
    assert status == 200
    status, again, body = fetch(live_server + url, **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    status, _headers, body = fetch(
        live_server + url, **{"If-Modified-Since": headers["Last-Modified"]}
    )
    assert (status, body) == (304, b"")


def test_gzip_over_the_wire(live_server):
    _status, plain, identity = fetch(f"{live_server}/feeds/all.rss")
    status, headers, body = fetch(f"{live_server}/feeds/all.rss", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    # Sec-Fetch-Dest too: a browser that opens the feed gets it as application/xml (issue 17).
    assert headers["Vary"] == "Accept-Encoding, Sec-Fetch-Dest"
    assert headers["ETag"] != plain["ETag"]
    assert gzip.decompress(body) == identity
    assert feedparser.parse(gzip.decompress(body)).bozo == 0


def test_head_and_errors_over_the_wire(live_server):
    status, headers, body = fetch(f"{live_server}/feeds/all.atom", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) > 1000
    status, headers, body = fetch(f"{live_server}/feeds/country/atlantis.atom")
    assert status == 404
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode().startswith("404 Not Found: unknown country 'atlantis'")
    status, _headers, body = fetch(f"{live_server}/feeds/all.atom?limit=1000")
    assert status == 400 and body.startswith(b"400 Bad Request: limit")
    status, headers, _body = fetch(f"{live_server}/feeds/country/mx.atom?limit=2")
    assert status == 301
    assert headers["Location"] == f"{live_server}/feeds/country/mexico.atom?limit=2"


def test_workers_pick_up_archive_changes_without_a_restart(serve_archive, archive_dir):
    """gunicorn forks its workers after loading the archive: each must still reload it."""
    base_url = serve_archive(archive_dir, RELOAD_SECONDS="1")
    (archive_dir / "2021-05.txt").write_text(
        "1 May, 2021\n\nIOM opens an office in Belmopan, Belize\n\nNews.\n", encoding="utf-8"
    )
    deadline, streak = time.monotonic() + 20, 0
    while streak < 6 and time.monotonic() < deadline:  # several answers, from both workers
        time.sleep(0.2)
        status, _headers, body = fetch(f"{base_url}/healthz")
        assert status == 200
        streak = streak + 1 if json.loads(body)["entries"] == 21 else 0
    assert streak == 6
    _status, _headers, body = fetch(f"{base_url}/feeds/country/belize.json")
    assert json.loads(body)["items"][0]["title"] == "IOM opens an office in Belmopan, Belize"
