"""``feeds serve``: the app under gunicorn, the production server.

The app (and so the archive) is loaded once in the master before the workers fork
(``preload_app``), so N workers share one parsed copy instead of parsing it N times.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class FeedsServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn 27's control socket is one path per user: two instances on a host
        # (as behind nginx) would share it. Nothing here uses it.
        "control_socket_disable": True,
        "post_fork": collect_in_worker,
    }


def collect_in_worker(server: Any, worker: Any) -> None:
    """gunicorn's ``post_fork`` hook: every worker collects garbage, whatever the master's
    collector is doing (:func:`serve` turns it off for the load)."""
    gc.enable()


def serve(host: str, port: int, workers: int, archive: str | None) -> None:
    """Load the archive, then run gunicorn until interrupted."""
    if archive:
        os.environ["FEEDS_ARCHIVE"] = archive
    from webapp import create_app

    gc.disable()  # until run() freezes what the load made (see there)
    run(create_app(), host, port, workers)


def run(app: Flask, host: str, port: int, workers: int) -> None:
    """Run gunicorn over an app whose archive is already loaded (preload, then fork)."""
    share_with_workers()
    FeedsServer(app, gunicorn_options(host, port, workers)).run()


def share_with_workers() -> None:
    """Freeze the objects made so far, then let the collector run again.

    Python's recipe for forking servers (``gc.freeze``): the collector, disabled while the
    archive loads, never scans the frozen objects, so it never writes to their pages and
    the workers keep sharing them. A ``gc.collect()`` first would scan all of them once
    (0.2-0.3 s at 200,000 entries) to free the few cycles that start-up leaves.
    """
    gc.freeze()
    gc.enable()
