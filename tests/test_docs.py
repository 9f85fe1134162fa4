"""README.md documents every setting and every URL (datasette's test_docs.py, for us)."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.settings import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

#: The URL contract of issue 4: each must appear in the README, with an example.
URL_PATTERNS = [
    "/feeds/all.atom",
    "/feeds/all.rss",
    "/feeds/all.json",
    "/feeds/country/",
    "/feeds/topic/",
    "/feeds/region/",
    "/feeds.opml",
    "/country/",
    "/topic/",
    "/region/",
    "/entries/",
    "/healthz",
]
PARAMETERS = ["limit", "page", "q", "country", "topic", "since"]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_readme_documents_every_setting(name):
    assert f"FEEDS_{name}" in README


@pytest.mark.parametrize("url", URL_PATTERNS)
def test_readme_lists_every_url(url):
    assert f"`{url}" in README or f"{url}`" in README


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_readme_gives_an_example_of_every_query_parameter(parameter):
    assert f"`{parameter}`" in README
    assert f"?{parameter}=" in README or f"&{parameter}=" in README


def test_readme_explains_the_reverse_proxy_set_up():
    for header in ("X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix"):
        assert header in README
    assert "FEEDS_TRUSTED_PROXIES" in README and "FEEDS_BASE_URL" in README


def test_readme_shows_how_to_run_it():
    assert "make run" in README
    assert "feeds serve" in README
    assert "http://127.0.0.1:8000/" in README
