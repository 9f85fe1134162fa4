"""sitemap.xml, robots.txt, favicon.ico, and HTML error pages for browsers only."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml import html as lxml_html

BASE = "http://localhost"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_sitemap_lists_every_page_and_entry(client, app):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    locs = etree.fromstring(response.data).xpath(
        "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    )
    catalog = app.extensions["feeds"].store.catalog
    assert {f"{BASE}/entries/{e.id}" for e in catalog.entries} <= set(locs)
    assert {f"{BASE}/", f"{BASE}/news", f"{BASE}/country/mexico"} <= set(locs)
    for loc in locs:
        assert client.get(loc.removeprefix(BASE)).status_code == 200, loc


def test_robots_points_to_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE}/sitemap.xml" in text and "User-agent: *" in text


def test_favicon(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\0\0\1\0"


@pytest.mark.parametrize("url", ["/entries/nope", "/country/atlantis", "/country/mexico?limit=0"])
def test_browsers_get_an_error_page_with_the_sites_header(client, url):
    response = client.get(url, headers=BROWSER)
    assert response.status_code in (400, 404)
    assert response.mimetype == "text/html"
    document = lxml_html.document_fromstring(response.data)
    assert document.xpath("//header[@class='site']//form[@role='search']")
    assert document.xpath(f"//main//a[@href='{BASE}/']")


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/feeds/country/atlantis.atom", BROWSER),
        ("/feeds/all.json?limit=0", BROWSER),
        ("/embed/headlines?limit=99", BROWSER),
        ("/entries/nope", {}),
        ("/entries/nope", {"Accept": "text/plain"}),
    ],
)
def test_feeds_json_and_scripts_keep_one_line_plain_errors(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code >= 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).count("\n") == 1
