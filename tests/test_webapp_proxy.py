"""Absolute URLs behind a reverse proxy: X-Forwarded-* from trusted proxies, or FEEDS_BASE_URL."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml import html as lxml_html

from webapp.pages import READERS as READER_LINKS

READERS = tuple(prefix for _name, prefix in READER_LINKS)

A = "{http://www.w3.org/2005/Atom}"
PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "news.example.com",
    "X-Forwarded-Prefix": "/press",
    "X-Forwarded-For": "203.0.113.9",
}
PUBLIC = "https://news.example.com/press"


def atom_urls(body: bytes) -> list[str]:
    """Every URL an Atom feed holds: links and the author's. (Category schemes are tag URIs
    that name the taxonomy whatever the host, issue 15.)"""
    feed = etree.fromstring(body)
    urls = [link.get("href") for link in feed.iter(f"{A}link")]
    return urls + [element.text for element in feed.iter(f"{A}uri")]


def self_url(body: bytes) -> str:
    """The feed's rel="self" link (the HTML page's link comes first, issue 15)."""
    link = etree.fromstring(body).find(f"{A}link[@rel='self']")
    href: str = link.get("href")
    return href


def all_urls(client, headers) -> list[str]:
    """The URLs of a feed in each format, the OPML list and a page's links and assets."""
    urls = atom_urls(client.get("/feeds/country/mexico.atom?limit=2", headers=headers).data)
    rss = etree.fromstring(client.get("/feeds/all.rss?limit=2", headers=headers).data)
    urls += [e.text for e in rss.iter("link")] + [e.get("href") for e in rss.iter(f"{A}link")]
    feed = client.get("/feeds/topic/health.json", headers=headers).get_json(force=True)
    urls += [feed["feed_url"], feed["home_page_url"], *(i["url"] for i in feed["items"])]
    opml = etree.fromstring(client.get("/feeds.opml", headers=headers).data)
    urls += [o.get(a) for o in opml.iter("outline") for a in ("xmlUrl", "htmlUrl") if o.get(a)]
    for page in ("/", "/country/mexico"):
        document = lxml_html.document_fromstring(client.get(page, headers=headers).data)
        urls += [target for _e, _a, target, _p in document.iterlinks() if "#" not in target]
    # The subscribe panel's links to web feed readers are the one way out (issue 17).
    return [url for url in urls if not url.startswith(READERS)]


def test_trusted_proxy_headers_make_every_url_public(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    urls = all_urls(client, PROXY)
    assert len(urls) > 50
    assert [url for url in urls if not url.startswith(PUBLIC + "/")] == []
    feed = etree.fromstring(client.get("/feeds/all.atom?limit=1", headers=PROXY).data)
    links = {link.get("rel"): link.get("href") for link in feed.iterfind(f"{A}link")}
    assert links["self"] == f"{PUBLIC}/feeds/all.atom?limit=1"
    assert links["alternate"] == f"{PUBLIC}/"
    assert feed.find(f"{A}entry/{A}link").get("href").startswith(f"{PUBLIC}/entries/")


def test_without_trusted_proxies_the_headers_are_ignored(make_app):
    client = make_app(TRUSTED_PROXIES=0).test_client()
    urls = all_urls(client, PROXY)
    assert [url for url in urls if not url.startswith("http://localhost/")] == []


def test_the_configured_base_url_wins(make_app):
    client = make_app(BASE_URL="https://feeds.example.org/news/", TRUSTED_PROXIES=1).test_client()
    urls = all_urls(client, PROXY)
    assert [url for url in urls if not url.startswith("https://feeds.example.org/news/")] == []


def test_only_the_trusted_number_of_proxies_is_believed(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    forged = {
        "X-Forwarded-Host": "evil.example, news.example.com",
        "X-Forwarded-Proto": "http, https",
    }
    body = client.get("/feeds/all.atom", headers=forged).data
    assert self_url(body) == "https://news.example.com/feeds/all.atom"


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/feeds/country/mx.atom?limit=2", f"{PUBLIC}/feeds/country/mexico.atom?limit=2"),
        ("/country/MX", f"{PUBLIC}/country/mexico"),
        ("/topic/", f"{PUBLIC}/#topic"),
    ],
)
def test_redirects_point_at_the_public_url(make_app, url, location):
    response = make_app(TRUSTED_PROXIES=1).test_client().get(url, headers=PROXY)
    assert response.headers["Location"] == location


def test_documents_for_different_hosts_are_not_mixed_up(make_app):
    """The response cache and the ETag belong to one public URL each."""
    client = make_app(TRUSTED_PROXIES=1).test_client()
    first = client.get("/feeds/all.atom", headers=PROXY)
    other = client.get("/feeds/all.atom", headers=PROXY | {"X-Forwarded-Host": "mirror.example"})
    assert self_url(other.data) == "https://mirror.example/press/feeds/all.atom"
    assert other.headers["ETag"] != first.headers["ETag"]
    direct = client.get("/feeds/all.atom")
    assert self_url(direct.data) == "http://localhost/feeds/all.atom"
    revalidated = client.get(
        "/feeds/all.atom", headers=PROXY | {"If-None-Match": other.headers["ETag"]}
    )
    assert revalidated.status_code == 200
