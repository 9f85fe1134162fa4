"""``webapp/hosts.py``: documents made from an unconfigured Host stay out of shared caches."""

from __future__ import annotations

import pytest

from webapp.hosts import host_name, is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("feeds.localhost", True), ("0.0.0.0", False), ("::", False),
     ("192.0.2.7", False), ("news.example.org", False), ("", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("header", "name"),
    [("localhost", "localhost"), ("localhost:8000", "localhost"), ("[::1]:8000", "::1"),
     ("[::1]", "::1"), ("news.example.org:443", "news.example.org"), ("::1", "::1"),
     ("[::1]evil.example", ""), ("127.0.0.1:80@evil.example", ""), ("", "")],
)  # fmt: skip
def test_host_name_drops_the_port(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds.opml", "/"])
@pytest.mark.parametrize(
    ("settings", "host", "cache_control"),
    [({}, "evil.example", "private"), ({}, "localhost:8000", "public"),
     ({}, "[::1]evil.example", "private"), ({}, "127.0.0.1:80@evil.example", "private"),
     ({"BASE_URL": "https://news.example.org"}, "evil.example", "public"),
     ({"TRUSTED_PROXIES": 1}, "evil.example", "public")],
)  # fmt: skip
def test_documents_for_an_unconfigured_host_are_private(
    make_app, settings, host, cache_control, path
) -> None:
    client = make_app(**settings).test_client()

    first = client.get(path, headers={"Host": host})
    again = client.get(path, headers={"Host": host})  # from the response cache this time

    assert first.status_code == again.status_code == 200
    for response in (first, again):
        assert response.headers["Cache-Control"].startswith(f"{cache_control}, max-age="), path
