"""The URL builders (feeds/urls.py) and the app's routes describe the same contract."""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html

from feeds.classify.countries import all_countries
from feeds.classify.regions import all_regions
from feeds.urls import FEED_EXTENSIONS, SiteUrls

BASE = "http://localhost"
URLS = SiteUrls(BASE)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (SiteUrls("https://h.example/news").home(), "https://h.example/news/"),
        (URLS.page("all"), f"{BASE}/"),
        (URLS.page("all", [("q", "iom")]), f"{BASE}/?q=iom"),
        (URLS.page("country/mexico"), f"{BASE}/country/mexico"),
        (URLS.feed("all", "atom"), f"{BASE}/feeds/all.atom"),
        (
            URLS.feed("topic/health", "rss", [("q", "a b&c"), ("page", "2")]),
            f"{BASE}/feeds/topic/health.rss?q=a+b%26c&page=2",
        ),
        (URLS.entry("2021-03-06-x"), f"{BASE}/entries/2021-03-06-x"),
        (URLS.entry("a b/c?"), f"{BASE}/entries/a%20b/c%3F"),
        (URLS.category_scheme("country"), f"{BASE}/country/"),
        (URLS.opml(), f"{BASE}/feeds.opml"),
        (URLS.static("style.css"), f"{BASE}/static/style.css"),
    ],
)
def test_builders(built, expected):
    assert built == expected


def every_built_url(catalog) -> list[str]:
    """One URL from each builder for every selection, format and entry the catalog has."""
    paths = ["all"]
    paths += [f"country/{country.slug}" for country in all_countries()]
    paths += [f"topic/{topic.slug}" for topic in catalog.taxonomy.topics]
    paths += [f"region/{region.slug}" for region in all_regions()]
    urls = [URLS.home(), URLS.opml(), URLS.static("style.css")]
    for path in paths:
        urls.append(URLS.page(path, [("limit", "5")] if path.startswith("topic/") else ()))
        urls += [URLS.feed(path, extension) for extension in FEED_EXTENSIONS]
    return urls + [URLS.entry(entry.id) for entry in catalog.entries]


def test_every_built_url_answers_200(client, app):
    urls = every_built_url(app.extensions["feeds"].store.catalog)
    assert len(urls) > 900
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url


@pytest.mark.parametrize("kind", ["country", "topic"])
def test_category_scheme_plus_term_leads_to_the_page(client, app, kind):
    """A category's scheme + term (``…/country/`` + ``MX``) is a URL that answers."""
    catalog = app.extensions["feeds"].store.catalog
    index = catalog.country_index if kind == "country" else catalog.topic_index
    for term in index:
        response = client.get(URLS.category_scheme(kind) + term)
        if response.status_code == 301:
            response = client.get(response.headers["Location"])
        assert response.status_code == 200, term


def links_of(url: str, body: bytes, content_type: str) -> list[str]:
    if content_type.startswith("text/html"):
        return [target for _e, _a, target, _p in lxml_html.document_fromstring(body).iterlinks()]
    if "xml" in content_type:
        root = etree.fromstring(body)
        found = [e.get("href") for e in root.iter("{*}link") if e.get("href")]
        found += [e.text for e in root.iter("link") if e.text]
        return found + [e.get(a) for e in root.iter("outline") for a in ("xmlUrl", "htmlUrl")]
    return []


def test_every_link_the_site_publishes_answers(client):
    """Crawl from the home page and the OPML list: every same-site link answers 200."""
    queue, seen = deque([f"{BASE}/", f"{BASE}/feeds.opml"]), set()
    while queue and len(seen) < 400:
        url = queue.popleft().split("#")[0]
        if url in seen or not url.startswith(BASE + "/"):
            continue
        seen.add(url)
        with client.get(url) as response:
            assert response.status_code == 200, url
            if urlsplit(url).path.startswith("/static/"):
                continue
            queue.extend(filter(None, links_of(url, response.data, response.content_type)))
    assert len(seen) > 100
