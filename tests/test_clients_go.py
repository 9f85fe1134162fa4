"""gofeed (what Miniflux uses) on a live server (issue 15): Debian's
golang-github-mmcdole-gofeed-dev, built in GOPATH mode (no module proxy here)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from crossclient import CLIENTS, FEEDS, assert_same, expected, item, missing, page_urls, server

__all__ = ["server"]

GOPATH = Path("/usr/share/gocode")
GOFEED = GOPATH / "src" / "github.com" / "mmcdole" / "gofeed"


def _missing() -> str | None:
    if reason := missing("go"):
        return reason
    if not GOFEED.is_dir():
        return f"no {GOFEED}: scripts/test-deps.sh installs golang-github-mmcdole-gofeed-dev"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def gofeed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/clients/go/read.go, built against Debian's gofeed."""
    directory = tmp_path_factory.mktemp("gofeed")
    binary = directory / "read"
    environment = os.environ | {
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(directory / "cache"),
        "GOFLAGS": "",
    }
    subprocess.run(
        ["go", "build", "-o", str(binary), str(CLIENTS / "go" / "read.go")],
        env=environment,
        check=True,
        timeout=300,
    )
    return binary


def read(gofeed: Path, url: str) -> list:
    result = subprocess.run(
        [str(gofeed), url], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return [
        item(i["id"], i["title"], i["link"], i["date"], i["categories"])
        for i in json.loads(result.stdout)["items"]
    ]


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
@pytest.mark.parametrize("feed", FEEDS)
def test_gofeed_reads_what_json_feed_says(server, gofeed, feed, extension):
    got = [i for url in page_urls(server, feed, extension) for i in read(gofeed, url)]
    assert_same(got, expected(server, feed))
