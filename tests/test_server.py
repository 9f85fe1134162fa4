"""``webapp/server.py``: what the master does before gunicorn forks its workers."""

from __future__ import annotations

import contextlib
import gc
import json
import resource
from collections.abc import Iterator
from pathlib import Path

import liveserver
import pytest
from conftest import REAL_ARCHIVE, copy_archive
from flask import Flask
from slowclients import SlowClients, probe

from webapp.server import (
    WORKER_CONNECTIONS,
    FeedsServer,
    gunicorn_settings,
    raise_open_files_limit,
    share_with_workers,
)


def test_loaded_objects_are_frozen_and_the_collector_runs_again() -> None:
    gc.disable()  # as `feeds serve` does before loading the archive
    loaded = [[number] for number in range(1_000)]  # containers, as a load makes
    frozen_before = gc.get_freeze_count()
    try:
        share_with_workers()

        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(loaded)
    finally:
        gc.unfreeze()
        gc.enable()


def test_workers_share_the_preloaded_app() -> None:
    options = gunicorn_settings("127.0.0.1:8000", 2)

    assert options["preload_app"] is True
    assert options["workers"] == 2


def test_every_worker_collects_garbage_whatever_the_master_does() -> None:
    server = FeedsServer(Flask(__name__), gunicorn_settings("127.0.0.1:8000", 2))
    gc.disable()  # the master's collector, off for the load
    try:
        server.cfg.post_fork(None, None)  # gunicorn calls it in each new worker

        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_open_files_limit_allows_every_connection_of_a_worker() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    soft = raise_open_files_limit()

    assert soft >= min(hard, WORKER_CONNECTIONS)
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == soft


# --- Live: the server as `feeds serve` and as deploy/gunicorn.conf.py run it -----------

SERVERS = {
    "feeds serve": liveserver.start_app,
    "deploy/gunicorn.conf.py": liveserver.start_gunicorn,
}


@contextlib.contextmanager
def running(kind: str, tmp_path: Path, **settings: str) -> Iterator[int]:
    """A live server of ``kind`` over a copy of the real archive; yields its port."""
    archive = copy_archive(REAL_ARCHIVE, tmp_path / "archive")
    port = liveserver.free_port()
    log = tmp_path / f"{port}.log"
    environ = liveserver.app_environ(archive, **settings)
    environ["WEB_CONCURRENCY"] = "1"
    process = SERVERS[kind](port, environ, log)
    try:
        liveserver.wait_until_serving(port, process, log)
        yield port
    finally:
        liveserver.stop(process)


@pytest.mark.parametrize("kind", SERVERS)
def test_slow_clients_do_not_stall_normal_requests(kind: str, tmp_path: Path) -> None:
    # One worker, 150 connections trickling header lines and 50 a POST body, for 8 s:
    # before gevent workers, 8 such connections made 2 of 3 probes time out.
    with running(kind, tmp_path) as port, SlowClients(port, 150, 50, every=0.5) as slow:
        probes = probe(port, "/healthz", count=16, every=0.5, timeout=3)
        held = slow.open_count()

    assert probes.failures == []
    assert probes.median_ms < 250  # the target is 100 ms (bench_slow_clients.py); room here
    assert held == 200  # the slow connections were held, not dropped to make room


@pytest.mark.parametrize("kind", SERVERS)
def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(
    kind: str, tmp_path: Path
) -> None:
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
    with running(kind, tmp_path, TRUSTED_PROXIES="0") as port:
        for name, value in forged.items():
            _, _, body = liveserver.get(port, "/feeds/all.json?limit=1", {name: value})
            assert json.loads(body)["feed_url"].startswith("http://127.0.0.1:"), name


def test_forwarded_proto_from_a_trusted_proxy_is_followed(tmp_path: Path) -> None:
    with running("feeds serve", tmp_path, TRUSTED_PROXIES="1") as port:
        _, _, body = liveserver.get(port, "/feeds/all.json?limit=1", {"X-Forwarded-Proto": "https"})

    assert json.loads(body)["feed_url"].startswith("https://127.0.0.1:")


@pytest.mark.parametrize(
    ("host", "base_url", "warned"),
    [("0.0.0.0", "", True), ("0.0.0.0", "https://news.example.org", False),
     ("127.0.0.1", "", False)],
)  # fmt: skip
def test_a_public_address_without_a_base_url_warns_at_start(
    host: str, base_url: str, warned: bool, tmp_path: Path
) -> None:
    archive = copy_archive(REAL_ARCHIVE, tmp_path / "archive")
    port = liveserver.free_port()
    log = tmp_path / "serve.log"
    command = [str(liveserver.BIN / "feeds"), "serve", "--host", host, "--port", str(port),
               "--workers", "1", "--archive", str(archive)]  # fmt: skip
    process = liveserver.start(command, log, liveserver.app_environ(archive, BASE_URL=base_url))
    try:
        liveserver.wait_until_serving(port, process, log)
    finally:
        liveserver.stop(process)

    assert ("WARNING: serving on 0.0.0.0 without FEEDS_BASE_URL" in log.read_text()) == warned
