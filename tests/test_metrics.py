"""``/metrics`` (``webapp/metrics.py``): requests, latency, reloads, entries, the cache."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import liveserver
from conftest import REAL_ARCHIVE, copy_archive
from loopback import Answer, RecordingHandler, ScriptedServer, smtp_server
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from feeds.urls import SiteUrls
from webapp.export import site_urls

NEW_ENTRY = "1 May, 2021\n\nIOM opens a new office in Tegucigalpa, Honduras\n\nNews.\n"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``{(sample name, sorted labels): value}`` from the Prometheus text format."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


def test_requests_are_counted_by_route_and_status(client) -> None:
    for path in ("/feeds/all.atom", "/feeds/all.atom", "/feeds/all.atom", "/nowhere"):
        client.get(path)

    found = scrape(client)

    feed = (("route", "feeds.feed"), ("status", "200"))
    assert found[("feeds_http_requests_total", feed)] == 3
    assert found[("feeds_http_requests_total", (("route", "unmatched"), ("status", "404")))] == 1
    count = ("feeds_http_request_duration_seconds_count", (("route", "feeds.feed"),))
    assert found[count] == 3
    assert found[("feeds_response_cache_misses_total", ())] >= 1
    assert found[("feeds_response_cache_hits_total", ())] >= 2  # the repeats
    assert found[("feeds_response_cache_bytes", ())] > 0
    assert found[("feeds_archive_entries", ())] == 20


def test_metrics_are_never_cached(client) -> None:
    first = scrape(client)
    second = scrape(client)

    key = ("feeds_http_requests_total", (("route", "metrics.metrics_view"), ("status", "200")))
    assert second[key] == first.get(key, 0) + 1


def test_reloads_are_counted_with_their_duration(app, client, archive_dir) -> None:
    store = app.extensions["feeds"].store
    store.reload()
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")
    store.reload()

    found = scrape(client)

    assert found[("feeds_archive_reloads_total", (("outcome", "unchanged"),))] == 1
    assert found[("feeds_archive_reloads_total", (("outcome", "changed"),))] == 1
    assert found[("feeds_archive_reload_duration_seconds_count", ())] == 2
    assert found[("feeds_archive_entries", ())] == 21


def test_feeds_build_does_not_export_metrics(make_app) -> None:
    app = make_app(BASE_URL="https://news.example.org")
    with app.test_request_context():
        urls = list(site_urls(app, SiteUrls("https://news.example.org")))

    assert urls and not any("metrics" in url for url in urls)


def test_every_worker_counts_under_gunicorn(tmp_path: Path) -> None:
    archive = copy_archive(REAL_ARCHIVE, tmp_path / "archive")
    port = liveserver.free_port()
    log = tmp_path / "serve.log"
    command = [str(liveserver.BIN / "feeds"), "serve", "--host", liveserver.HOST,
               "--port", str(port), "--workers", "2", "--archive", str(archive)]  # fmt: skip
    process = liveserver.start(command, log, liveserver.app_environ(archive))
    try:
        liveserver.wait_until_serving(port, process, log)
        for _ in range(30):  # on new connections: both workers answer some
            liveserver.get(port, "/feeds/all.json?limit=1")
        scrapes = [samples(liveserver.get(port, "/metrics")[2].decode()) for _ in range(6)]
        _, _, health = liveserver.get(port, "/healthz")
    finally:
        liveserver.stop(process)

    key = ("feeds_http_requests_total", (("route", "feeds.feed"), ("status", "200")))
    # Whichever worker answered /metrics, it counts both workers' requests.
    assert {found[key] for found in scrapes} == {30}
    assert {found[("feeds_archive_entries", ())] for found in scrapes} == {
        json.loads(health)["entries"]
    }


def test_feeds_digest_counts_its_sends_where_the_server_counts(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    today = dt.date.today().isoformat()
    feed = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>Desk</title><id>urn:f</id>"
        f"<entry><id>urn:1</id><title>One</title><updated>{today}T00:00:00Z</updated></entry>"
        "</feed>"
    ).encode()
    handler = RecordingHandler()
    with ScriptedServer() as web, smtp_server(handler) as port:
        web.answers["/feed"] = Answer(feed, "application/atom+xml")
        environ = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
        done = subprocess.run(
            [str(liveserver.BIN / "feeds"), "digest", web.url("/feed"), "--to", "a@example.org",
             "--to", "b@example.org", "--from", "news@example.org",
             "--smtp", f"{liveserver.HOST}:{port}", "--state", str(tmp_path / "state.json")],
            capture_output=True, text=True, timeout=60, env=environ,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))

    found = samples(generate_latest(registry).decode())

    assert found[("feeds_emails_sent_total", (("kind", "digest"),))] == len(handler.envelopes) == 2
