"""A browser that opens an Atom or RSS feed gets the same bytes as application/xml, which
it renders with the feed's stylesheet; feed readers see no change (issue 17)."""

from __future__ import annotations

import pytest

NAVIGATION = {"Sec-Fetch-Dest": "document"}


@pytest.mark.parametrize("url", ["/feeds/all.atom", "/feeds/country/mexico.rss?limit=2"])
def test_a_browser_navigation_gets_xml_and_the_same_bytes(client, url):
    reader = client.get(url)
    browser = client.get(url, headers=NAVIGATION)
    assert browser.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert reader.mimetype in ("application/atom+xml", "application/rss+xml")
    assert browser.data == reader.data
    assert browser.headers["ETag"] == reader.headers["ETag"]
    for response in (reader, browser):
        assert "Sec-Fetch-Dest" in response.headers["Vary"]
    again = client.get(url, headers={**NAVIGATION, "If-None-Match": browser.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "headers", "content_type"),
    [
        ("/feeds/all.atom", {"Sec-Fetch-Dest": "empty"}, "application/atom+xml; charset=utf-8"),
        ("/feeds/all.json", NAVIGATION, "application/feed+json; charset=utf-8"),
        ("/feeds.opml", NAVIGATION, "text/x-opml; charset=utf-8"),
        ("/feeds/country/atlantis.atom", NAVIGATION, "text/plain; charset=utf-8"),
    ],
)
def test_everything_else_is_unchanged(client, url, headers, content_type):
    assert client.get(url, headers=headers).headers["Content-Type"] == content_type
