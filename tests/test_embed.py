"""The widget script, its iframe variant, ``/syndicate`` and CORS (``webapp.embed``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from samples import COSTA_RICA, MEXICO_GUATEMALA, MEXICO_SUMMARY, entry_text

from feeds.documents.directory import listings
from feeds.urls import SiteUrls
from webapp.site import catalog

WriteArchive = Callable[[Mapping[str, str | bytes]], Path]

ARCHIVE = (
    entry_text(
        "12 March, 2021",
        "Mexico hosts <script>window.__pwned=1</script> and <b>bold</b> forum on labour migration",
        MEXICO_SUMMARY,
    )
    + COSTA_RICA
    + MEXICO_GUATEMALA
)
WIDGET = Path(__file__).resolve().parent.parent / "webapp" / "static" / "headlines.js"


@pytest.fixture
def archive_dir(write_archive: WriteArchive) -> Path:
    """What conftest's ``app`` serves: a title with markup, three countries, one region."""
    return write_archive({"a.txt": ARCHIVE})


# --- The widget script ------------------------------------------------------------------


def test_widget_script_is_javascript_and_cacheable(client: FlaskClient) -> None:
    response = client.get("/embed/headlines.js")
    assert response.status_code == 200
    assert response.content_type == "application/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Last-Modified"]
    assert response.data == WIDGET.read_bytes()
    again = client.get("/embed/headlines.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_widget_script_is_small() -> None:
    # 5 KB until the e-mail sign-up option (issue 16) took it past; still one small request.
    assert len(WIDGET.read_bytes()) < 6 * 1024


@pytest.mark.parametrize(
    "forbidden", ["document.write", "innerHTML", "outerHTML", "insertAdjacentHTML", "eval("]
)
def test_widget_script_never_parses_html(forbidden: str) -> None:
    assert forbidden not in WIDGET.read_text(encoding="utf-8")


def test_widget_script_sets_one_global() -> None:
    assigned = re.findall(r"window\.(\w+)\s*=[^=]", WIDGET.read_text(encoding="utf-8"))
    assert assigned == ["FeedsHeadlines"]


# --- The iframe page --------------------------------------------------------------------


def test_iframe_page_lists_headlines_as_escaped_text(client: FlaskClient) -> None:
    response = client.get("/embed/headlines?feed=country/mexico&limit=5")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mexico hosts &lt;script&gt;window.__pwned=1&lt;/script&gt; and &lt;b&gt;bold" in html
    assert html.count("<script") == 1  # ours, which tells the framing page its height
    assert '<script src="http://localhost/static/embed-height.js" async></script>' in html
    assert html.count("<li>") == 2
    assert 'href="http://localhost/country/mexico"' in html
    assert '<time datetime="2021-03-12">' in html
    assert "Costa Rica" not in html


def test_iframe_page_may_be_framed_anywhere_but_runs_only_its_own_script(
    client: FlaskClient,
) -> None:
    policy = client.get("/embed/headlines?feed=all").headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy  # the height script, a file: no inline code


@pytest.mark.parametrize(
    ("query", "count", "summary"),
    [
        ("feed=all", 3, False),
        ("feed=all&limit=1", 1, False),
        ("feed=all&limit=2&summary=true", 2, True),
        ("feed=country/mx", 2, False),  # an ISO code names the country too
        ("feed=all%3Fq%3Dagreement", 1, False),
        ("feed=all&topic=health", 1, False),
        ("feed=region/central-america%26since%3D2021-03-10", 2, False),
    ],
)
def test_iframe_page_follows_feed_and_limit(
    client: FlaskClient, query: str, count: int, summary: bool
) -> None:
    html = client.get(f"/embed/headlines?{query}").get_data(as_text=True)
    assert html.count("<li>") == count
    assert ("<p>Officials in Mexico City" in html or "<p>The " in html) == summary


def test_iframe_page_of_an_empty_feed_links_to_the_feed_page(client: FlaskClient) -> None:
    html = client.get("/embed/headlines?feed=country/belize").get_data(as_text=True)
    assert "<li>" not in html
    assert 'href="http://localhost/country/belize"' in html
    assert "No headlines yet." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("feed=bogus", "feed must be all, country/<name>"),
        ("feed=country/", "feed must be all, country/<name>"),
        ("feed=../etc/passwd", "feed must be all, country/<name>"),
        ("feed=country/atlantis", "unknown country 'atlantis'"),
        ("feed=topic/weather", "unknown topic 'weather'"),
        ("feed=all&limit=21", "limit must be from 1 to 20"),
        ("feed=all&limit=0", "limit must be from 1 to 20"),
        ("feed=all%3Flimit%3D3", "give limit= beside feed="),
        ("feed=all&since=yesterday", "since must be a date"),
        ("feed=all&summary=yes", "summary must be true or false, not 'yes'"),
        ("feed=all&summary=true&summary=false", "summary is given 2 times"),
    ],
)
def test_iframe_page_rejects_bad_parameters(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/embed/headlines?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert text.count("\n") == 1


def test_iframe_page_is_answered_conditionally(client: FlaskClient) -> None:
    first = client.get("/embed/headlines?feed=all&limit=2")
    again = client.get(
        "/embed/headlines?limit=2&feed=all", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


# --- /syndicate -------------------------------------------------------------------------


def test_syndicate_offers_every_non_empty_feed(app: Flask, client: FlaskClient) -> None:
    html = client.get("/syndicate").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)"', html)
    with app.test_request_context():
        groups = listings(catalog()).values()
    assert options == [item.selection.path for items in groups for item in items]
    assert options[:4] == ["all", "country/mexico", "country/costa-rica", "country/guatemala"]
    assert "country/belize" not in options


def test_syndicate_snippet_loads_the_widget_from_this_host(client: FlaskClient) -> None:
    html = client.get("/syndicate").get_data(as_text=True)
    assert (
        "&lt;div data-feeds-headlines=&#34;all&#34; data-limit=&#34;5&#34;&gt;&lt;/div&gt;\n"
        "&lt;script src=&#34;http://localhost/embed/headlines.js&#34; async&gt;"
    ) in html
    assert "http://localhost/embed/headlines?feed=all&amp;amp;limit=5" in html


def test_syndicate_has_no_inline_script(client: FlaskClient) -> None:
    """The site's CSP allows only scripts from files."""
    html = client.get("/syndicate").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 2
    assert all(" src=" in script for script in scripts)


# --- CORS: partners' browser code may read and poll our feeds ----------------------------

# (test_webapp_http.py covers Atom, OPML, health and errors.)
CORS_PATHS = [
    "/feeds/all.rss",
    "/feeds/all.json",
    "/feeds/topic/health.rss",
    "/feeds/region/central-america.json",
    "/embed/headlines.js",
    "/embed/headlines?feed=all",
]


@pytest.mark.parametrize("path", CORS_PATHS)
def test_cors_get_exposes_validators(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "http://partner.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"].split(",")
    assert {"ETag", "Last-Modified"} <= {name.strip() for name in exposed}


@pytest.mark.parametrize("path", CORS_PATHS)
def test_cors_preflight(client: FlaskClient, path: str) -> None:
    response = client.options(
        path,
        headers={
            "Origin": "http://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "path", ["/feeds/all.atom", "/feeds/all.json", "/feeds/all.rss", "/embed/headlines.js"]
)
def test_cors_not_modified_is_readable_too(client: FlaskClient, path: str) -> None:
    """A partner's conditional poll gets a 304 its script may read."""
    etag = client.get(path).headers["ETag"]
    response = client.get(path, headers={"If-None-Match": etag, "Origin": "http://p.example"})
    assert response.status_code == 304
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_syndicate_page_is_not_cross_origin_readable(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in client.get("/syndicate").headers


# --- URL builders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (
            SiteUrls("http://localhost").embed("headlines.js"),
            "http://localhost/embed/headlines.js",
        ),
        (
            SiteUrls("http://localhost").embed(
                "headlines", [("feed", "topic/health"), ("limit", "3")]
            ),
            "http://localhost/embed/headlines?feed=topic%2Fhealth&limit=3",
        ),
        (SiteUrls("http://localhost").syndicate(), "http://localhost/syndicate"),
    ],
)
def test_built_urls_answer(client: FlaskClient, built: str, expected: str) -> None:
    assert built == expected
    assert client.get(built).status_code == 200
