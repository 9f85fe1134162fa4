"""``/metrics``: what operators watch, in the Prometheus text format (issue 14).

Under gunicorn every worker counts in files of one directory (prometheus_client's
multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``; :func:`webapp.server.prepare_master`
makes a fresh one when it is not set) and ``/metrics``, whichever worker answers, adds
them all up. Without that variable (tests, ``feeds build``) each app counts in its own
registry.

Requests are counted outermost, below nothing, so answers replayed below Flask
(``webapp/fastpath.py``) count too; the route label is the Flask endpoint the URL
matches (a small, fixed set), never the path. The response cache (issue 19's) is read
after each request: its own hit, miss and byte counts are carried over as deltas.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from feeds.catalog import Catalog
from feeds.digest.counted import EMAILS_SENT
from webapp.fastpath import ENDPOINT

bp = Blueprint("metrics", __name__)

#: Seconds: most answers take a millisecond or two; a build of a large feed, a second.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """Every metric of the service, and the registry ``/metrics`` reads."""

    def __init__(self) -> None:
        directory = multiprocess_directory()
        self.registry = CollectorRegistry()
        if directory:
            multiprocess.MultiProcessCollector(self.registry, path=directory)  # type: ignore[no-untyped-call]
            if values.ValueClass is values.MutexValue:  # imported before the variable was set
                values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        own = None if directory else self.registry  # multiprocess: the files are read
        self.requests = Counter(
            "feeds_http_requests", "HTTP requests answered", ("route", "status"), registry=own
        )
        self.latency = Histogram(
            "feeds_http_request_duration_seconds", "Time to answer an HTTP request",
            ("route",), buckets=LATENCY_BUCKETS, registry=own,
        )  # fmt: skip
        self.reloads = Counter(
            "feeds_archive_reloads", "Archive reloads by outcome", ("outcome",), registry=own
        )
        self.reload_seconds = Histogram(
            "feeds_archive_reload_duration_seconds", "Time to reload the archive",
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60), registry=own,
        )  # fmt: skip
        self.entries = Gauge(
            "feeds_archive_entries", "Entries in the catalog served",
            multiprocess_mode="livemostrecent", registry=own,
        )  # fmt: skip
        self.cache_hits = Counter(
            "feeds_response_cache_hits", "Answers found in the response cache", registry=own
        )
        self.cache_misses = Counter(
            "feeds_response_cache_misses", "Answers built and offered to the cache", registry=own
        )
        self.cache_bytes = Gauge(
            "feeds_response_cache_bytes", "Bytes held by the response caches of live workers",
            multiprocess_mode="livesum", registry=own,
        )  # fmt: skip
        self.emails = Counter(*EMAILS_SENT, registry=own)  # ``feeds digest`` counts too
        self._cache_seen = (0, 0)
        self._answered: dict[tuple[str, str], tuple[Any, Any]] = {}
        #: ``time.perf_counter()`` after which requests carry the cache's counts over again.
        self.cache_sync_due = 0.0

    def reloaded(self, outcome: str, seconds: float, catalog: Catalog) -> None:
        """The store's reload observer: ``changed``, ``unchanged`` or ``failed``."""
        self.reloads.labels(outcome).inc()
        self.reload_seconds.observe(seconds)
        self.entries.set(len(catalog.entries))

    def cache_counted(self, hits: int, misses: int, size: int) -> None:
        """Carry the response cache's own counts over (deltas since the last call)."""
        seen_hits, seen_misses = self._cache_seen
        if hits > seen_hits:
            self.cache_hits.inc(hits - seen_hits)
        if misses > seen_misses:
            self.cache_misses.inc(misses - seen_misses)
        if (hits, misses) != self._cache_seen:  # a gauge's write is a lock and an mmap write
            self.cache_bytes.set(size)
        self._cache_seen = (hits, misses)

    def answered(self, route: str, status: str, seconds: float) -> None:
        """One request: counted by route and status, its latency observed. The labelled
        children are kept: ``labels()`` validates its arguments each time (3-4 µs, two
        per request, of a replayed answer's 140; issue 19)."""
        found = self._answered.get((route, status))
        if found is None:
            found = (self.requests.labels(route, status), self.latency.labels(route))
            self._answered[(route, status)] = found
        found[0].inc()
        found[1].observe(seconds)

    def email_sent(self, kind: str) -> None:
        self.emails.labels(kind).inc()


class CountRequests:
    """WSGI middleware, outermost: every request by route and status, and its latency."""

    def __init__(self, app: Any, flask_app: Flask, metrics: Metrics) -> None:
        self.app = app
        self.url_map = flask_app.url_map
        self.site = flask_app.extensions["feeds"]
        self.metrics = metrics

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = ["500"]

        def counting(code: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            status[0] = code[:3]
            return start_response(code, headers, *exc_info)

        try:
            return self.app(environ, counting)  # type: ignore[no-any-return]
        finally:
            finished = time.perf_counter()
            self.metrics.answered(self._route(environ), status[0], finished - started)
            if finished >= self.metrics.cache_sync_due:  # at most once a second (and on
                self.metrics.cache_sync_due = finished + 1  # each scrape: metrics_view)
                cache = self.site.cache
                self.metrics.cache_counted(cache.hits, cache.misses, cache.bytes)

    def _route(self, environ: dict[str, Any]) -> str:
        # The endpoint as already known: the fast path's replay, or Flask's routing. A
        # URL match of our own costs 30-40 µs, a fifth of a replayed answer (issue 19).
        known = environ.get(ENDPOINT)
        if known is None:
            rule = getattr(environ.get("werkzeug.request"), "url_rule", None)
            known = None if rule is None else rule.endpoint
        if known is not None:
            return str(known)
        try:
            endpoint, _ = self.url_map.bind_to_environ(environ).match()
        except RequestRedirect:
            return "redirect"
        except HTTPException:
            return "unmatched"
        return str(endpoint)


def init_app(app: Flask) -> None:
    """``/metrics``, the request counter around everything, the store's reloads."""
    metrics = Metrics()
    app.extensions["feeds_metrics"] = metrics
    site = app.extensions["feeds"]
    site.store.reload_observers.append(metrics.reloaded)
    metrics.entries.set(len(site.store.catalog.entries))
    app.register_blueprint(bp)
    app.wsgi_app = CountRequests(app.wsgi_app, app, metrics)  # type: ignore[method-assign]


@bp.get("/metrics")
def metrics_view() -> Response:
    metrics: Metrics = current_app.extensions["feeds_metrics"]
    cache = current_app.extensions["feeds"].cache
    metrics.cache_counted(cache.hits, cache.misses, cache.bytes)  # this worker's, up to now
    response = Response(generate_latest(metrics.registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"  # always now, never from a cache
    return response
