"""The one gunicorn configuration, for ``feeds serve`` and ``deploy/gunicorn.conf.py``.

The app (and so the archive) is loaded once in the master before the workers fork
(``preload_app``), so N workers share one parsed copy instead of parsing it N times.

Workers are gevent's (issue 14, slow clients): each connection is a greenlet that costs a
few kilobytes while it waits, so a client trickling its headers or its body one byte at a
time holds no thread and no process; the request reaches the app only once it has
arrived whole. gthread's threads block on a connection as soon as its first byte arrives,
so a handful of slow clients starved every thread. gevent patches the standard library
(sockets, locks, threads) *before* the app loads in the master (:func:`prepare_master`),
so every lock the preloaded app made is one the workers' greenlets can share. The same
function gives ``/metrics`` its multiprocess directory (``webapp/metrics.py``).
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from webapp.hosts import is_loopback

#: Connections one worker holds at once (gevent greenlets). Slow clients count too; the
#: head of a request must arrive within ``keepalive`` seconds (gunicorn's gevent worker
#: reads it under that timeout), so none holds a connection for ever.
WORKER_CONNECTIONS = 2000


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


def gunicorn_settings(bind: str, workers: int) -> dict[str, Any]:
    """Every gunicorn option we set, by gunicorn's names (the one definition)."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "gevent",
        "worker_connections": WORKER_CONNECTIONS,
        # The archive is parsed once in the master; the forked workers share that copy.
        "preload_app": True,
        "timeout": 30,  # a worker silent this long is killed and replaced
        "graceful_timeout": 10,  # on SIGTERM/SIGHUP, in-flight requests get this long
        # nginx keeps idle upstream connections for 60 s (``keepalive_timeout`` in
        # deploy/nginx/feeds.conf); the app must keep them longer, or nginx may reuse a
        # connection the app is closing.
        "keepalive": 75,
        # gunicorn trusts X-Forwarded-Proto, -Ssl and -Protocol from 127.0.0.1 by default;
        # here nothing is trusted by gunicorn: the app's ProxyFix, with
        # FEEDS_TRUSTED_PROXIES, is the one place that decides (issue 14).
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        # Client address as a proxy saw it, then the usual fields, then the time taken (µs).
        "access_log_format": (
            '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
        ),
        # gunicorn 27's control socket is one path per user: two instances on a host
        # (as behind nginx) would share it. Manage instances with signals instead.
        "control_socket_disable": True,
        "when_ready": freeze_before_fork,
        "post_fork": collect_in_worker,
        "child_exit": forget_worker_gauges,
    }


def prepare_master() -> None:
    """Before the app loads: gevent's patches, and no garbage collection during the load
    (it would only scan the new objects again and again; :func:`freeze_before_fork`)."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()
    raise_open_files_limit()
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # before prometheus_client loads
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="feeds-metrics-")
    gc.disable()


def raise_open_files_limit() -> int:
    """The soft limit on open files, raised towards the hard one so that a worker can hold
    WORKER_CONNECTIONS sockets (systemd's default soft limit is 1024); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WORKER_CONNECTIONS + 256  # the archive's files, logs, the metrics' files
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


def freeze_before_fork(server: Any) -> None:
    """gunicorn's ``when_ready`` hook: the master is set up and no worker forked yet."""
    share_with_workers()


def collect_in_worker(server: Any, worker: Any) -> None:
    """gunicorn's ``post_fork`` hook: every worker collects garbage, whatever the master's
    collector is doing (:func:`prepare_master` turns it off for the load, and a SIGHUP
    that reads the configuration again turns it off again)."""
    gc.enable()


def forget_worker_gauges(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook: a dead worker's live gauges leave ``/metrics``."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def serve(host: str, port: int, workers: int, archive: str | None) -> None:
    """Load the archive, then run gunicorn until interrupted."""
    if archive:
        os.environ["FEEDS_ARCHIVE"] = archive
    prepare_master()
    from webapp import create_app

    app = create_app()
    warn_about_host(app, host)
    run(app, host, port, workers)


def run(app: Flask, host: str, port: int, workers: int) -> None:
    """Run gunicorn over an app whose archive is already loaded (preload, then fork)."""
    prepare_master()  # a no-op after serve(); late, but still before any worker forks
    FeedsServer(app, gunicorn_settings(f"{host}:{port}", workers)).run()


def share_with_workers() -> None:
    """Freeze the objects made so far, then let the collector run again.

    Python's recipe for forking servers (``gc.freeze``): the collector, disabled while the
    archive loads, never scans the frozen objects, so it never writes to their pages and
    the workers keep sharing them. A ``gc.collect()`` first would scan all of them once
    (0.2-0.3 s at 200,000 entries) to free the few cycles that start-up leaves.
    """
    gc.freeze()
    gc.enable()


def warn_about_host(app: Flask, host: str) -> None:
    """Loud, at start: on a public address, links must not follow the client's Host."""
    if app.config["FEEDS_BASE_URL"] or is_loopback(host):
        return
    rule = "!" * 78
    print(
        f"{rule}\nWARNING: serving on {host} without FEEDS_BASE_URL: every link in the feeds\n"
        "and pages would name whatever host a client sends. Set FEEDS_BASE_URL to the\n"
        f"public URL (such as https://news.example.org) before anyone subscribes.\n{rule}",
        file=sys.stderr,
        flush=True,
    )
