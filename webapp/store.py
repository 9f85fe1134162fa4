"""The catalog the app serves, reloaded in the background and swapped atomically.

Requests read ``store.current()`` and a reload that fails keeps the previous catalog.
Each process (every gunicorn worker, after the fork) runs one watcher thread that reloads
every ``reload_seconds``, whether or not requests come, so a cache in front never
revalidates against a stale archive. Listeners hear about each new catalog (WebSub
notifications use this).

No answer comes from an archive older than one already served (issue 14). A worker
reads the archive again before its first answer (a respawned worker starts from the
catalog the master loaded at boot), and the workers share the newest catalog any of them
installed through :class:`NewestSeen`, a few bytes of memory mapped before the fork: a
worker whose catalog is older than that reloads before it answers.
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable

from feeds.catalog import Catalog, CatalogLoader

log = logging.getLogger(__name__)

Listener = Callable[[Catalog, Catalog], None]
#: Hears every reload: outcome (``changed``, ``unchanged``, ``failed``), seconds, catalog.
ReloadObserver = Callable[[str, float, Catalog], None]


class NewestSeen:
    """Shared by the master and every worker it forks: (generation, version) of the newest
    catalog installed anywhere. The generation grows by one at each new version."""

    _LAYOUT = struct.Struct("<Q120s")

    def __init__(self) -> None:
        # Anonymous and MAP_SHARED: the forked workers, respawned ones too, see one page.
        self._memory = mmap.mmap(-1, self._LAYOUT.size)
        self._lock = threading.Lock()  # threads of one process; writes are rare

    def generation(self) -> int:
        """The newest generation (one 8-byte read: cheap enough for every request)."""
        generation: int = struct.unpack_from("<Q", self._memory)[0]
        return generation

    def installed(self, version: str) -> int:
        """Record that this process now serves ``version``; returns its generation."""
        with self._lock:
            generation, recorded = self._LAYOUT.unpack_from(self._memory)
            if recorded.rstrip(b"\0").decode() != version:
                generation += 1
                # Version first, then the generation: a reader that sees the new
                # generation reloads, and a reload reads the archive itself anyway.
                self._memory[8:] = version.encode().ljust(self._LAYOUT.size - 8, b"\0")
                struct.pack_into("<Q", self._memory, 0, generation)
            return int(generation)


class CatalogStore:
    def __init__(self, loader: CatalogLoader, reload_seconds: float) -> None:
        """Loads the archive now: a service that cannot read its archive must not start."""
        self.loader = loader
        self.reload_seconds = reload_seconds
        self.catalog: Catalog = loader.load()
        self.listeners: list[Listener] = []
        self.reload_observers: list[ReloadObserver] = []
        self.newest = NewestSeen()
        self._generation = self.newest.installed(self.catalog.version)
        self._lock = threading.Lock()
        self._watcher_lock = threading.Lock()
        self._watcher_pid: int | None = None

    def current(self) -> Catalog:
        """The catalog to answer with, never older than one another worker served.

        The first call in a process reads the archive again before answering, then starts
        the process's watcher."""
        if not self.reload_seconds:
            return self.catalog
        if self._watcher_pid != os.getpid():
            self._first_use()
        elif self.newest.generation() > self._generation:
            self.reload()  # another worker has seen a newer archive: catch up first
        return self.catalog

    def _first_use(self) -> None:
        # Threads do not survive fork: each worker starts its own, at its first request.
        with self._watcher_lock:
            if self._watcher_pid == os.getpid():
                return
            self.reload()
            self._watcher_pid = os.getpid()
            threading.Thread(target=self._watch, name="catalog-reload", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.reload_seconds)
            self.reload()

    def _reload(self) -> tuple[str, float, Catalog]:
        """(outcome, seconds, the catalog before): the reload itself, under the lock."""
        started = time.perf_counter()
        old = self.catalog
        seen = self.newest.generation()
        try:
            new = self.loader.load()
        except Exception:
            log.exception("archive reload failed; still serving version %s", old.version)
            self._generation = seen  # no retry at every request; the watcher retries
            return "failed", time.perf_counter() - started, old
        self._generation = max(seen, self.newest.installed(new.version))
        if new.version == old.version:
            return "unchanged", time.perf_counter() - started, old
        self.catalog = new  # one reference assignment: readers see old or new, whole
        log.info("archive reloaded: version %s, %d entries", new.version, len(new.entries))
        return "changed", time.perf_counter() - started, old

    def _observe(self, outcome: str, seconds: float, _old: Catalog) -> None:
        for observer in self.reload_observers:
            try:
                observer(outcome, seconds, self.catalog)
            except Exception:
                log.exception("reload observer %r failed", observer)

    def reload(self) -> bool:
        """Reload now; returns whether the archive changed. Errors keep the old catalog."""
        with self._lock:
            changed = self._reload()
        self._observe(*changed)
        if changed[0] != "changed":
            return False
        old, new = changed[2], self.catalog
        for listener in self.listeners:
            try:
                listener(old, new)
            except Exception:
                log.exception("catalog listener %r failed", listener)
        return True
