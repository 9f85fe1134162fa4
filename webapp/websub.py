"""WebSub publishing (W3C Recommendation, section 7): tell the hub which feeds changed.

The store calls ``catalog_changed`` after a reload; that only queues the two catalogs.
One background thread works out which feeds changed (``feeds.catalog.changes``) and POSTs
``hub.mode=publish`` for each of their URLs, retrying with exponential backoff, so
neither a request nor a reload ever waits for the hub.

Under gunicorn every worker reloads on its own. The publisher is made before the workers
fork (``preload_app``) with an unnamed file they all share, holding the last archive version
announced: the first worker to claim a version announces it, the others skip it.
"""

from __future__ import annotations

import fcntl
import heapq
import logging
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlencode

from feeds.catalog import Catalog
from feeds.catalog.changes import changed_selection_paths
from feeds.urls import FEED_EXTENSIONS, SiteUrls

log = logging.getLogger(__name__)

USER_AGENT = "feeds-websub/1"


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    url: str = field(compare=False)
    attempt: int = field(compare=False, default=1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a 2xx: following it would turn the POST into a GET."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebSubPublisher:
    def __init__(
        self,
        hub_url: str,
        base_url: str,
        *,
        settle: float = 0.0,
        attempts: int = 5,
        base_delay: float = 2.0,
        timeout: float = 10.0,
    ) -> None:
        """``base_url`` is the public one (FEEDS_BASE_URL): the hub must fetch what
        subscribers subscribed to, and a request's own host is not known here.

        ``settle`` is how long to wait before the first notification of a change: the hub
        fetches the feed at once, and until the other workers have reloaded and caches in
        front have expired, it could be handed the old copy and push nothing.
        """
        self.hub_url = hub_url
        self.base_url = base_url
        self.settle = settle
        self.attempts = attempts
        self.base_delay = base_delay
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._changes: deque[tuple[Catalog, Catalog]] = deque()
        self._jobs: list[_Job] = []
        self._queued: set[str] = set()
        self._busy = False
        self._seq = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._warned = False
        self._announced = AnnouncedVersions() if base_url else None

    def catalog_changed(self, old: Catalog, new: Catalog) -> None:
        """A ``CatalogStore`` listener: queues the change and returns at once."""
        if not self.base_url:
            if not self._warned:
                self._warned = True
                log.warning(
                    "FEEDS_WEBSUB_HUB is set but FEEDS_BASE_URL is not: feed URLs "
                    "are unknown, so no WebSub notifications are sent"
                )
            return
        with self._cond:
            self._changes.append((old, new))
            if self._thread is None:  # started here, not in create_app: after gunicorn forks
                self._thread = threading.Thread(target=self._work, name="websub", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Whether everything queued was sent or given up on within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not (self._changes or self._jobs or self._busy), timeout
            )

    def _work(self) -> None:
        while True:
            change, job = self._next()
            try:
                if change is not None:
                    self._queue_changed_feeds(*change)
                elif job is not None:
                    self._send(job)
            except Exception:  # the thread must outlive any bug: log it and go on
                log.exception("WebSub publisher failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _next(self) -> tuple[tuple[Catalog, Catalog] | None, _Job | None]:
        """The next change to look at or the next job that is due; waits for one."""
        with self._cond:
            while True:
                if self._changes:
                    self._busy = True
                    return self._changes.popleft(), None
                now = time.monotonic()
                if self._jobs and self._jobs[0].due <= now:
                    job = heapq.heappop(self._jobs)
                    self._queued.discard(job.url)
                    self._busy = True
                    return None, job
                self._cond.wait(self._jobs[0].due - now if self._jobs else None)

    def _queue_changed_feeds(self, old: Catalog, new: Catalog) -> None:
        if self._announced is not None and not self._announced.claim(new.version):
            log.info("WebSub: version %s already announced by another worker", new.version)
            return
        urls = SiteUrls(self.base_url)
        for path in changed_selection_paths(old, new):
            for extension in FEED_EXTENSIONS:
                self._schedule(urls.feed(path, extension), attempt=1, delay=self.settle)

    def _schedule(self, url: str, attempt: int, delay: float) -> None:
        with self._cond:
            if url in self._queued:  # the hub will fetch the newest version anyway
                return
            self._seq += 1
            heapq.heappush(self._jobs, _Job(time.monotonic() + delay, self._seq, url, attempt))
            self._queued.add(url)
            self._cond.notify_all()

    def _send(self, job: _Job) -> None:
        failure = self._post(job.url)
        if failure is None:
            log.info("WebSub: hub %s notified of %s", self.hub_url, job.url)
            return
        reason, worth_retrying = failure
        if not worth_retrying or job.attempt >= self.attempts:
            log.error(
                "WebSub: gave up notifying hub %s of %s after %d attempt(s): %s",
                self.hub_url,
                job.url,
                job.attempt,
                reason,
            )
            return
        delay = self.base_delay * 2 ** (job.attempt - 1)
        log.warning(
            "WebSub: hub %s failed for %s (attempt %d of %d: %s); retrying in %gs",
            self.hub_url,
            job.url,
            job.attempt,
            self.attempts,
            reason,
            delay,
        )
        self._schedule(job.url, job.attempt + 1, delay)

    def _post(self, url: str) -> tuple[str, bool] | None:
        """None on success (any 2xx, section 7), else why not and whether to ask again."""
        body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
        request = urllib.request.Request(self.hub_url, body, headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status: int = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (OSError, ValueError) as exc:  # refused, reset, timed out, bad hub URL
            return str(exc) or type(exc).__name__, True
        if 200 <= status < 300:
            return None
        # A redirect or a 4xx will not go away by asking again; a timeout, rate limit or
        # server error may.
        return f"HTTP {status}", status >= 500 or status in (408, 429)


class AnnouncedVersions:
    """The archive version announced last, shared by every process forked after this is made.

    The file has no name: it is made before gunicorn forks its workers (``preload_app``),
    each inherits the descriptor, and it is gone when the last of them exits.
    """

    def __init__(self) -> None:
        fd, path = tempfile.mkstemp(prefix="feeds-websub-")
        os.unlink(path)
        self._fd = fd

    def claim(self, version: str) -> bool:
        """True if ``version`` was not the last one claimed, in any process; it is now."""
        # lockf locks belong to a process, so they exclude the other workers sharing the file.
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                if os.pread(self._fd, 1024, 0).decode() == version:
                    return False
                os.ftruncate(self._fd, 0)
                os.pwrite(self._fd, version.encode(), 0)
                return True
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)
        except OSError as exc:
            log.warning("WebSub: cannot record announced versions (%s); announcing anyway", exc)
            return True
