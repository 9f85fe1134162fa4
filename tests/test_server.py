"""``webapp/server.py``: what the master does before gunicorn forks its workers."""

from __future__ import annotations

import gc

from flask import Flask

from webapp.server import FeedsServer, gunicorn_options, share_with_workers


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
    options = gunicorn_options("127.0.0.1", 8000, 2)

    assert options["preload_app"] is True
    assert options["workers"] == 2


def test_every_worker_collects_garbage_whatever_the_master_does() -> None:
    server = FeedsServer(Flask(__name__), gunicorn_options("127.0.0.1", 8000, 2))
    gc.disable()  # the master's collector, off for the load
    try:
        server.cfg.post_fork(None, None)  # gunicorn calls it in each new worker

        assert gc.isenabled()
    finally:
        gc.enable()
