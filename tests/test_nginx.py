"""deploy/nginx/feeds.conf for real: nginx's cache in front of two app instances.

Everything runs on loopback as the current user: the deploy file is copied with its
site-specific paths and ports replaced (``liveserver.render_nginx``).
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import liveserver
import pytest
from liveserver import ROOT, write_atomically
from lxml import etree

MISSING = liveserver.nginx_missing_reason()
pytestmark = [pytest.mark.nginx, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

MAX_AGE = 2  # FEEDS_CACHE_MAX_AGE of the app instances, in seconds
CHANGE_TIMEOUT = 15  # how long a changed archive may take to show through nginx
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers["X-Cache-Status"]


@dataclass
class Stack:
    """nginx on ``port`` in front of the app instances on ``app_ports``."""

    port: int
    archive: Path
    app_ports: list[int]
    apps: list[subprocess.Popen[bytes]]
    app_logs: list[Path]

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        return Answer(*liveserver.get(self.port, path, headers))

    def app_requests(self, path: str) -> int:
        """How many times ``path`` reached an app instance (all of their access logs)."""
        self.settle_logs()
        line = f'"GET {path} HTTP/1.1"'
        return sum(log.read_text().count(line) for log in self.app_logs)

    def settle_logs(self) -> None:
        """Until every running instance has logged a request made after this call: then
        the logs hold every request that reached it before."""
        for port, app, log in zip(self.app_ports, self.apps, self.app_logs, strict=True):
            if app.poll() is not None:
                continue
            marker = f"/healthz?settle={uuid.uuid4().hex}"
            assert liveserver.get(port, marker)[0] == 200
            deadline = time.monotonic() + 5
            while marker not in log.read_text():
                assert time.monotonic() < deadline, f"{log} never logged {marker}"
                time.sleep(0.02)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("nginx")
    archive = directory / "archive"
    shutil.copytree(ROOT / "archive", archive)
    environ = liveserver.app_environ(
        archive, CACHE_MAX_AGE=str(MAX_AGE), RELOAD_SECONDS="1", TRUSTED_PROXIES="1"
    )
    app_ports = [liveserver.free_port(), liveserver.free_port()]
    app_logs = [directory / f"app{number}.log" for number in range(len(app_ports))]
    port = liveserver.free_port()
    started: list[subprocess.Popen[bytes]] = []
    try:
        for app_port, log in zip(app_ports, app_logs, strict=True):
            started.append(liveserver.start_app(app_port, environ, log))
        apps = list(started)
        main_conf = liveserver.render_nginx(directory, port, tuple(app_ports))
        nginx = liveserver.start_nginx(main_conf, directory / "nginx.out")
        started.append(nginx)
        for app_port, app, log in zip(app_ports, apps, app_logs, strict=True):
            liveserver.wait_until_serving(app_port, app, log)
        liveserver.wait_until_serving(port, nginx, directory / "error.log")
        yield Stack(port, archive, app_ports, apps, app_logs)
    finally:
        for process in reversed(started):
            liveserver.stop(process)


def test_a_repeated_request_is_a_cache_hit_that_never_reaches_the_app(stack: Stack) -> None:
    path = "/feeds/all.atom?limit=3"
    first = stack.get(path)
    again = stack.get(path)
    assert (first.status, first.cache) == (200, "MISS")
    assert (again.status, again.cache) == (200, "HIT")
    assert again.body == first.body
    assert stack.app_requests(path) == 1


def test_a_conditional_request_gets_304_from_the_cache(stack: Stack) -> None:
    path = "/feeds/all.rss?limit=3"
    first = stack.get(path)
    by_etag = stack.get(path, {"If-None-Match": first.headers["ETag"]})
    by_date = stack.get(path, {"If-Modified-Since": first.headers["Last-Modified"]})
    assert first.status == 200
    assert (by_etag.status, by_etag.cache, by_etag.body) == (304, "HIT", b"")
    assert by_etag.headers["ETag"] == first.headers["ETag"]
    assert (by_date.status, by_date.cache, by_date.body) == (304, "HIT", b"")
    assert stack.app_requests(path) == 1


def test_gzip_and_identity_are_cached_apart_whatever_the_accept_encoding_spelling(
    stack: Stack,
) -> None:
    path = "/feeds/all.json?limit=3"
    plain = stack.get(path)
    gzipped = stack.get(path, {"Accept-Encoding": "gzip, deflate, br"})
    gzipped_again = stack.get(path, {"Accept-Encoding": "gzip"})
    refused = stack.get(path, {"Accept-Encoding": "gzip;q=0, deflate"})
    assert [a.cache for a in (plain, gzipped, gzipped_again, refused)] == [
        "MISS",
        "MISS",
        "HIT",
        "HIT",
    ]
    assert gzipped_again.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzipped_again.body) == plain.body
    assert gzipped.headers["ETag"] == plain.headers["ETag"].removesuffix('"') + '-gz"'
    assert gzipped.headers["Vary"] == "Accept-Encoding"  # for caches further down
    assert refused.headers["Content-Encoding"] is None
    assert refused.body == plain.body
    assert stack.app_requests(path) == 2


def test_feeds_name_the_proxy_in_their_absolute_urls(stack: Stack) -> None:
    answer = stack.get("/feeds/all.atom?limit=2")
    self_link = etree.fromstring(answer.body).find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == f"http://127.0.0.1:{stack.port}/feeds/all.atom?limit=2"


def test_static_files_come_from_disk_with_validators(stack: Stack) -> None:
    answer = stack.get("/static/style.css")
    conditional = stack.get("/static/style.css", {"If-None-Match": answer.headers["ETag"]})
    assert answer.status == 200
    assert answer.body == (ROOT / "webapp" / "static" / "style.css").read_bytes()
    assert conditional.status == 304
    assert stack.app_requests("/static/style.css") == 0


def test_an_archive_change_shows_once_max_age_has_passed(stack: Stack) -> None:
    path = "/feeds/all.json?limit=4"
    title = f"Cache test entry {uuid.uuid4().hex}"
    cached = stack.get(path)
    cached_at = time.monotonic()
    write_atomically(
        stack.archive / "zz-cache-test.txt",
        f"1 January, 2024\n\n{title}\n\nA summary long enough to be an entry of the archive.\n",
    )
    right_after = stack.get(path)
    assert time.monotonic() - cached_at < MAX_AGE, "too slow to check the fresh copy"
    assert (cached.cache, right_after.cache) == ("MISS", "HIT")
    assert right_after.body == cached.body

    deadline = cached_at + CHANGE_TIMEOUT
    answer = right_after
    while title not in titles(answer.body):
        assert answer.status == 200
        assert answer.body == cached.body, "neither the cached copy nor the new archive"
        assert time.monotonic() < deadline, f"change not visible after {CHANGE_TIMEOUT} s"
        time.sleep(0.2)
        answer = stack.get(path)
    # nginx asked the app again only once the copy had expired (it counts whole seconds).
    assert time.monotonic() - cached_at >= MAX_AGE - 0.25


def test_both_instances_serve_and_either_one_is_enough(stack: Stack) -> None:
    before = [liveserver.get(port, "/healthz")[0] for port in stack.app_ports]
    answers = [stack.get(f"/healthz?spread={n}") for n in range(6)]
    stack.settle_logs()
    reached = [log.read_text().count("GET /healthz?spread=") for log in stack.app_logs]
    assert before == [200, 200]
    assert [a.status for a in answers] == [200] * 6
    assert all(count > 0 for count in reached), reached

    liveserver.stop(stack.apps[0])
    after = [stack.get(f"/healthz?alone={n}") for n in range(6)]
    uncached = stack.get("/feeds/all.atom?limit=5")
    assert [a.status for a in after] == [200] * 6
    assert (uncached.status, uncached.cache) == (200, "MISS")
    stack.settle_logs()
    assert stack.app_logs[1].read_text().count("GET /healthz?alone=") == 6


def titles(body: bytes) -> list[str]:
    return [item["title"] for item in json.loads(body)["items"]]
