"""The catalog the app serves, reloaded in the background and swapped atomically.

Requests never wait for a reload: they read ``store.catalog`` (one attribute read) and
a reload that fails keeps the previous catalog. Listeners hear about each new catalog
(WebSub notifications use this).
"""

from __future__ import annotations

import logging
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
        self._next_check = time.monotonic() + reload_seconds

    def current(self) -> Catalog:
        """The catalog to answer with; starts a background reload when one is due."""
        if self.reload_seconds and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self.reload_seconds
            if not self._lock.locked():
                threading.Thread(target=self.reload, name="catalog-reload", daemon=True).start()
        return self.catalog

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
