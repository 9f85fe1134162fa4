"""Node clients on a live server (issue 15): rss-parser, @rowanmanning/feed-parser and
feedsmith, from npm into tests/clients/node/ (package-lock.json; scripts/test-deps.sh runs
``npm ci`` there), run by Debian's nodejs."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from crossclient import CLIENTS, FEEDS, assert_same, expected, item, page_urls, server

__all__ = ["server"]

NODE = CLIENTS / "node"
#: The formats each reads; whether it gives an Atom entry's categories (README).
CLIENTS_FORMATS = {
    "rss-parser": (("atom", "rss"), False),
    "rowanmanning": (("atom", "rss"), True),
    "feedsmith": (("atom", "rss", "json"), True),
}


def _missing() -> str | None:
    if not shutil.which("node"):
        return "node is not installed: scripts/test-deps.sh installs Debian's nodejs (as root)"
    if not (NODE / "node_modules").is_dir():
        return f"no {NODE}/node_modules: scripts/test-deps.sh runs npm ci there"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def read(client: str, url: str) -> list:
    result = subprocess.run(
        ["node", str(NODE / "read.mjs"), client, url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    return [
        item(i["id"], i["title"], i["link"], i["date"], i["categories"]) for i in document["items"]
    ]


@pytest.mark.parametrize(
    ("client", "extension"),
    [(client, ext) for client, (exts, _) in CLIENTS_FORMATS.items() for ext in exts],
)
@pytest.mark.parametrize("feed", FEEDS)
def test_node_client_reads_what_json_feed_says(server, client, extension, feed):
    got = [i for url in page_urls(server, feed, extension) for i in read(client, url)]
    categories = extension != "atom" or CLIENTS_FORMATS[client][1]
    assert_same(got, expected(server, feed), categories=categories)
