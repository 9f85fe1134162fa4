"""WebSub: hub links in every feed, and publish notifications to a hub stand-in on loopback."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from flask import Flask
from samples import COSTA_RICA, MEXICO, MEXICO_FEEDS

from webapp.store import CatalogStore
from webapp.websub import AnnouncedVersions, WebSubPublisher

WriteArchive = Callable[[Mapping[str, str | bytes]], Path]

BASE_URL = "https://news.example.org"
COSTA_RICA_FEEDS = [
    "all",
    "country/costa-rica",
    "topic/border-management",
    "topic/health",
    "region/central-america",
]
WAIT = 10.0  # seconds; every wait below is bounded by this


def feed_urls(paths: list[str]) -> Counter[str]:
    return Counter(
        f"{BASE_URL}/feeds/{path}.{ext}" for path in paths for ext in ("atom", "rss", "json")
    )


class Hub:
    """A hub stand-in: records each publish request and answers from a script."""

    def __init__(self, failures_per_url: int = 0, failure_status: int = 500) -> None:
        self.failures_per_url = failures_per_url
        self.failure_status = failure_status
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self._lock = threading.Lock()

    def answer(self, content_type: str, form: dict[str, list[str]]) -> int:
        with self._lock:
            self.requests.append((content_type, form))
            seen = sum(1 for _, f in self.requests if f.get("hub.url") == form.get("hub.url"))
        return self.failure_status if seen <= self.failures_per_url else 204

    def published(self) -> Counter[str]:
        with self._lock:
            return Counter(url for _, form in self.requests for url in form["hub.url"])


@pytest.fixture
def serve_hub() -> Iterator[Callable[[Hub], str]]:
    """``serve_hub(hub)`` → its URL, on 127.0.0.1; stopped after the test."""
    servers: list[ThreadingHTTPServer] = []

    def serve(hub: Hub) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = hub.answer(self.headers["Content-Type"], parse_qs(body.decode()))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/hub"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def archive_dir(write_archive: WriteArchive) -> Path:
    return write_archive({"a.txt": MEXICO + COSTA_RICA})


@pytest.fixture
def hub_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """``hub_app(hub_url, base_url=BASE_URL)``: an app that notifies the hub, quickly."""

    def make(hub_url: str, base_url: str = BASE_URL) -> Flask:
        app = make_app(WEBSUB_HUB=hub_url, BASE_URL=base_url, CACHE_MAX_AGE=0)
        publisher(app).base_delay = 0.01
        return app

    return make


def store(app: Flask) -> CatalogStore:
    found: CatalogStore = app.extensions["feeds"].store
    return found


def publisher(app: Flask) -> WebSubPublisher:
    found: WebSubPublisher = app.extensions["feeds_websub"]
    return found


def change_archive(write_archive: WriteArchive, app: Flask, text: str) -> None:
    write_archive({"a.txt": text})
    assert store(app).reload()
    assert publisher(app).wait_idle(WAIT)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- Hub links --------------------------------------------------------------------------

HUB = "https://hub.example.net/"


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds/country/mexico.atom"])
def test_atom_links_hub_beside_self(hub_app: Callable[..., Flask], path: str) -> None:
    root = ET.fromstring(hub_app(HUB).test_client().get(path).data)
    links = {
        link.get("rel"): link.get("href")
        for link in root.findall("{http://www.w3.org/2005/Atom}link")
    }
    assert links["hub"] == HUB
    assert links["self"] == f"{BASE_URL}{path}"


def test_rss_links_hub_beside_self(hub_app: Callable[..., Flask]) -> None:
    root = ET.fromstring(hub_app(HUB).test_client().get("/feeds/topic/health.rss").data)
    links = {
        link.get("rel"): link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")
    }
    assert links["hub"] == HUB
    assert links["self"] == f"{BASE_URL}/feeds/topic/health.rss"


def test_json_feed_lists_hub(hub_app: Callable[..., Flask]) -> None:
    document = json.loads(hub_app(HUB).test_client().get("/feeds/all.json").data)
    assert document["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_no_hub_no_links(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    assert b'rel="hub"' not in app.test_client().get("/feeds/all.atom").data
    assert "feeds_websub" not in app.extensions


# --- Publish notifications --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "announced"),
    [
        (MEXICO.replace("employers", "unions") + COSTA_RICA, MEXICO_FEEDS),
        (MEXICO + COSTA_RICA.replace("opens", "inaugurates"), COSTA_RICA_FEEDS),
        (COSTA_RICA, MEXICO_FEEDS),
    ],
)
def test_changed_feeds_are_announced_once_each(
    hub_app: Callable[..., Flask],
    serve_hub: Callable[[Hub], str],
    write_archive: WriteArchive,
    text: str,
    announced: list[str],
) -> None:
    hub = Hub()
    app = hub_app(serve_hub(hub))
    change_archive(write_archive, app, text)
    assert hub.published() == feed_urls(announced)
    assert {content_type for content_type, _ in hub.requests} == {
        "application/x-www-form-urlencoded"
    }
    assert all(form["hub.mode"] == ["publish"] for _, form in hub.requests)


def test_unchanged_feeds_are_never_announced(
    hub_app: Callable[..., Flask], serve_hub: Callable[[Hub], str], write_archive: WriteArchive
) -> None:
    hub = Hub()
    app = hub_app(serve_hub(hub))
    change_archive(write_archive, app, MEXICO + COSTA_RICA + "\n\n")  # new version, same entries
    assert not store(app).reload()  # nothing changed at all
    assert publisher(app).wait_idle(WAIT)
    assert hub.requests == []
    change_archive(write_archive, app, MEXICO.replace("forum", "meeting") + COSTA_RICA)
    assert hub.published() == feed_urls(MEXICO_FEEDS)


def test_notifications_wait_for_workers_and_caches_to_catch_up(
    make_app: Callable[..., Flask], serve_hub: Callable[[Hub], str], write_archive: WriteArchive
) -> None:
    """The hub fetches at once: not before every worker reloaded and caches expired."""
    assert publisher(make_app(WEBSUB_HUB=HUB, RELOAD_SECONDS=60, CACHE_MAX_AGE=300)).settle == 360
    hub = Hub()
    app = make_app(WEBSUB_HUB=serve_hub(hub), BASE_URL=BASE_URL, CACHE_MAX_AGE=1)
    write_archive({"a.txt": COSTA_RICA})
    started = time.monotonic()
    assert store(app).reload()
    assert not publisher(app).wait_idle(0.5)
    assert hub.requests == []
    assert publisher(app).wait_idle(WAIT)
    assert time.monotonic() - started >= 1
    assert hub.published() == feed_urls(MEXICO_FEEDS)


def test_failing_hub_is_retried(
    hub_app: Callable[..., Flask],
    serve_hub: Callable[[Hub], str],
    write_archive: WriteArchive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = Hub(failures_per_url=2)
    app = hub_app(serve_hub(hub))
    with caplog.at_level(logging.INFO, logger="webapp.websub"):
        change_archive(write_archive, app, COSTA_RICA)
    assert hub.published() == Counter({url: 3 for url in feed_urls(MEXICO_FEEDS)})
    messages = [record.getMessage() for record in caplog.records]
    assert sum("failed" in m and "HTTP 500" in m for m in messages) == 2 * 12
    assert sum("notified" in m for m in messages) == 12


def test_hub_that_refuses_the_notification_is_not_asked_again(
    hub_app: Callable[..., Flask],
    serve_hub: Callable[[Hub], str],
    write_archive: WriteArchive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = Hub(failures_per_url=1, failure_status=400)
    app = hub_app(serve_hub(hub))
    change_archive(write_archive, app, COSTA_RICA)
    assert hub.published() == feed_urls(MEXICO_FEEDS)
    assert (
        sum("gave up" in r.getMessage() and "HTTP 400" in r.getMessage() for r in caplog.records)
        == 12
    )


def test_hub_that_is_down_harms_nothing(
    hub_app: Callable[..., Flask],
    write_archive: WriteArchive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = hub_app(f"http://127.0.0.1:{closed_port()}/hub")
    publisher(app).attempts = 3
    write_archive({"a.txt": COSTA_RICA})
    started = time.monotonic()
    assert store(app).reload()
    response = app.test_client().get("/feeds/country/mexico.json")
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert json.loads(response.data)["items"] == []
    assert publisher(app).wait_idle(WAIT)
    gave_up = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert len(gave_up) == 12
    assert all(r.levelno == logging.ERROR and "3 attempt(s)" in r.getMessage() for r in gave_up)


def test_without_base_url_nothing_is_announced(
    hub_app: Callable[..., Flask],
    serve_hub: Callable[[Hub], str],
    write_archive: WriteArchive,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = Hub()
    app = hub_app(serve_hub(hub), base_url="")
    change_archive(write_archive, app, COSTA_RICA)
    change_archive(write_archive, app, MEXICO)
    assert hub.requests == []
    assert sum("FEEDS_BASE_URL" in r.getMessage() for r in caplog.records) == 1


def test_a_version_is_announced_by_one_process_only() -> None:
    """Gunicorn's workers share the publisher made before they fork; one announces."""
    announced = AnnouncedVersions()
    assert announced.claim("v1")
    with warnings.catch_warnings():  # Python 3.12+ warns about forking with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: another worker, reloading to the same versions
        code = 1
        try:
            code = 0 if (announced.claim("v1"), announced.claim("v2")) == (False, True) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not announced.claim("v2")
    assert announced.claim("v3")
