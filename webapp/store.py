"""The catalog the app serves, reloaded in the background and swapped atomically.

Requests never wait for a reload: they read ``store.catalog`` (one attribute read) and
a reload that fails keeps the previous catalog. Each process (every gunicorn worker, after
the fork) runs one watcher thread that reloads every ``reload_seconds``, whether or not
requests come, so a cache in front never revalidates against a stale archive. Listeners
hear about each new catalog (WebSub notifications use this).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from feeds.catalog import Catalog, CatalogLoader

log = logging.getLogger(__name__)

Listener = Callable[[Catalog, Catalog], None]


class CatalogStore:
    def __init__(self, loader: CatalogLoader, reload_seconds: float) -> None:
        """Loads the archive now: a service that cannot read its archive must not start."""
        self.loader = loader
        self.reload_seconds = reload_seconds
        self.catalog: Catalog = loader.load()
        self.listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._watcher_lock = threading.Lock()
        self._watcher_pid: int | None = None

    def current(self) -> Catalog:
        """The catalog to answer with; starts this process's watcher on first use."""
        if self.reload_seconds and self._watcher_pid != os.getpid():
            self._start_watcher()
        return self.catalog

    def _start_watcher(self) -> None:
        # Threads do not survive fork: each worker starts its own, lazily.
        with self._watcher_lock:
            if self._watcher_pid == os.getpid():
                return
            self._watcher_pid = os.getpid()
            threading.Thread(target=self._watch, name="catalog-reload", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.reload_seconds)
            self.reload()

    def reload(self) -> bool:
        """Reload now; returns whether the archive changed. Errors keep the old catalog."""
        with self._lock:
            old = self.catalog
            try:
                new = self.loader.load()
            except Exception:
                log.exception("archive reload failed; still serving version %s", old.version)
                return False
            if new.version == old.version:
                return False
            self.catalog = new  # one reference assignment: readers see old or new, whole
            log.info("archive reloaded: version %s, %d entries", new.version, len(new.entries))
        for listener in self.listeners:
            try:
                listener(old, new)
            except Exception:
                log.exception("catalog listener %r failed", listener)
        return True
