"""The README's example URLs give results on the shipped archive (issue 17): a reader who
tries one must not meet an empty feed or a 400."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
#: Example paths the README writes in backquotes: feeds with parameters, pages, previews.
EXAMPLES = sorted(
    {
        path
        for path in re.findall(
            r"`(/(?:feeds|digest|search|news|country|topic)[^` ]*)`", README.read_text()
        )
        if "<" not in path and "…" not in path
    }
)


def test_the_readme_has_examples():
    assert "/feeds/country/mexico.json?q=informacion" in EXAMPLES
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("path", EXAMPLES)
def test_each_example_gives_results(client, path):
    response = client.get(path)
    if response.status_code in (301, 302):  # the README shows the alpha-2 redirect
        response = client.get(response.headers["Location"])
    assert response.status_code == 200, response.get_data(as_text=True)
    kind = path.split("?")[0].rsplit(".", 1)[-1]
    if path.startswith("/feeds/") and kind == "json":
        assert response.get_json()["items"], path
    elif path.startswith("/feeds/") and kind in ("atom", "rss"):
        assert feedparser.parse(response.data).entries, path
    elif path.startswith(("/digest/", "/search?")):
        assert "/entries/" in response.get_data(as_text=True), path
