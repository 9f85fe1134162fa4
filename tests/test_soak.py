"""Soak: 30 s of 50 clients against the app under gunicorn while the archive changes.

gunicorn runs ``deploy/gunicorn.conf.py`` with two workers on loopback. Clients cycle
over every feed of the archive (plain and conditional, identity and gzip); every second a
file is edited in place half-way (a pause between its two halves, as a slow editor or
copy makes), one is rewritten atomically, one is added and the oldest added one removed.
Nothing may fail, every body must parse, no entry may be missing from any answer once its
file is in place, and no answer may hold the truncated entry of a half-written file
(issue 14: it waits until the file has settled).
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import json
import os
import shutil
import subprocess
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import fromstring as parse_opml

import liveserver
import pytest
from liveserver import HOST, ROOT, write_atomically
from lxml import etree

from feeds.catalog import CatalogLoader

pytestmark = pytest.mark.slow

DURATION = 30.0  # seconds of load
CLIENTS = 50
MAX_REQUESTS_PER_CLIENT = 50_000  # a bound; the deadline ends the run long before
RELOAD_SECONDS = 1
#: After a file is in place, every answer must show its entry once a reload is due and
#: this much longer has passed (the reload itself runs in the background).
SLACK = 3.0
ADDED_KEPT = 10  # added files live this many seconds before the mutator removes them
#: The server's FEEDS_SETTLE_SECONDS, and the pause inside each half-way edit: much
#: shorter, since under this load the mutator's sleep can overrun (0.4 s against 0.2 s
#: once let a reload take the half file as settled).
SETTLE_SECONDS = 1.5
HALF_WAY_PAUSE = 0.2
#: A new file is due once it has settled and a reload has run, then SLACK.
DUE_AFTER = RELOAD_SECONDS + SETTLE_SECONDS + SLACK
CHECKED_FEEDS = ("/feeds/all.json?limit=100", "/feeds/all.atom?limit=100")
ATOM = "{http://www.w3.org/2005/Atom}"


class Connection:
    """One keep-alive connection; a request that finds it closed by the server is retried
    once on a new one (RFC 9112 section 9.3.1: idempotent requests may be)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.retries = 0

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage, bytes]:
        reused = self.connection is not None
        try:
            return self._get(path, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            self.retries += 1
            return self._get(path, headers)

    def _get(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=15)
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.headers, response.read()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    retries: int = 0


@dataclass(frozen=True)
class Sample:
    """One answer of a checked feed: when it was asked for and what it held."""

    started: float
    finished: float
    version: str | None  # the worker's archive version before and after, if the same
    guids: frozenset[str]


@dataclass
class History:
    """What the mutator did, in ``time.monotonic()`` seconds."""

    guids_at_version: dict[str, frozenset[str]] = field(default_factory=dict)
    added_guid: dict[int, str] = field(default_factory=dict)
    in_place: dict[int, float] = field(default_factory=dict)  # after os.replace returned
    #: Ticks whose half-way edit was made: their truncated entries must never be served.
    half_way: list[int] = field(default_factory=list)
    removing: dict[int, float] = field(default_factory=dict)  # before os.unlink


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    archive = tmp_path / "archive"
    shutil.copytree(ROOT / "archive", archive)
    write_atomically(archive / "rewritten.txt", entry_text(0, "Rewritten entry", "Version 0."))
    environ = liveserver.app_environ(
        archive, RELOAD_SECONDS=str(RELOAD_SECONDS), SETTLE_SECONDS=str(SETTLE_SECONDS)
    )
    environ["WEB_CONCURRENCY"] = "2"
    port, log = liveserver.free_port(), tmp_path / "gunicorn.log"
    process: subprocess.Popen[bytes] = liveserver.start_gunicorn(port, environ, log)
    try:
        liveserver.wait_until_serving(port, process, log)
        yield port, archive, log
    finally:
        liveserver.stop(process)


def test_soak(server: tuple[int, Path, Path]) -> None:
    port, archive, log = server
    run = Run(port, feed_paths(port), [Tally() for _ in range(CLIENTS)])
    run.start(archive)
    statuses = sum((t.statuses for t in run.tallies), Counter())
    total = statuses.total()
    print(
        f"\nsoak: {total:,} requests in {run.elapsed:.1f} s = {total / run.elapsed:,.0f}/s; "
        f"{statuses[200]:,} × 200, {statuses[304]:,} × 304, "
        f"{sum(t.retries for t in run.tallies)} retried after a keep-alive close; "
        f"{len(run.samples)} checked answers, {len(run.history.added_guid)} files added"
    )
    assert run.failures == []
    assert run.elapsed >= DURATION
    assert sum(n for status, n in statuses.items() if status >= 500) == 0, statuses
    assert set(statuses) <= {200, 304}, statuses
    assert [problem for t in run.tallies for problem in t.problems] == []
    assert statuses[200] > 0 and statuses[304] > 0
    check_samples(run.samples, run.history)
    server_log = log.read_text()
    assert "Traceback" not in server_log
    assert "WORKER TIMEOUT" not in server_log


@dataclass
class Run:
    """The clients, the checker and the mutator, from start to deadline."""

    port: int
    paths: list[str]
    tallies: list[Tally]
    samples: list[Sample] = field(default_factory=list)
    history: History = field(default_factory=History)
    failures: list[str] = field(default_factory=list)  # exceptions raised in a thread
    elapsed: float = 0.0

    def start(self, archive: Path) -> None:
        """Runs everything until the deadline; returns when every thread has finished."""
        started = time.monotonic()
        deadline = started + DURATION
        targets: list[tuple[Callable[..., None], tuple[object, ...]]] = [
            (run_client, (self.port, self.paths, n, tally, deadline))
            for n, tally in enumerate(self.tallies)
        ]
        targets.append((run_checker, (self.port, self.samples, deadline)))
        targets.append((mutate, (archive, self.history, started, deadline)))
        threads = [threading.Thread(target=self._guarded, args=target) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DURATION + 60)
        self.elapsed = time.monotonic() - started
        assert not any(thread.is_alive() for thread in threads), "a thread never finished"

    def _guarded(self, target: Callable[..., None], args: tuple[object, ...]) -> None:
        try:
            target(*args)
        except Exception:
            self.failures.append(traceback.format_exc())


def check_samples(samples: list[Sample], history: History) -> None:
    """Every checked answer holds exactly the entries of the archive version it was built
    from, and, whatever its version, every added entry once that is due."""
    truncated = tuple(f"/{half_way_slug(tick)}" for tick in history.half_way)
    assert truncated, "no half-way edit was made"
    for sample in samples:
        assert not [g for g in sample.guids if g.endswith(truncated)], "half a file was served"
    first_guids = history.guids_at_version[next(iter(history.guids_at_version))]
    always = first_guids - set(history.added_guid.values())
    verified = required = 0
    slowest = 0.0
    for sample in samples:
        assert always <= sample.guids, "an entry whose file never changed is missing"
        expected = history.guids_at_version.get(sample.version or "")
        if expected is not None:
            assert sample.guids == expected, f"not the entries of version {sample.version}"
            verified += 1
        for number, in_place in history.in_place.items():
            removing = history.removing.get(number, float("inf"))
            if not in_place <= sample.started or sample.finished >= removing:
                continue  # asked for before the file was in place, or while it went
            if history.added_guid[number] not in sample.guids:
                slowest = max(slowest, sample.started - in_place)
            elif in_place + DUE_AFTER <= sample.started:
                required += 1
    print(
        f"soak: {verified} answers matched their archive version exactly; an added entry "
        f"was due and present {required} times, and missing at most {slowest:.2f} s "
        f"after its file was in place (allowed: {DUE_AFTER:.1f} s)"
    )
    assert slowest < DUE_AFTER
    assert verified >= 10  # the exact check ran, not only the timing one
    assert required > len(history.added_guid)


def run_client(port: int, paths: list[str], number: int, tally: Tally, deadline: float) -> None:
    """Cycles over ``paths`` from its own offset; every other pair of clients asks for gzip.

    Odd clients send If-None-Match with the last ETag they saw, and ask for each path
    twice in a row: the archive changes every second, so an ETag from one round earlier
    is rarely still current, but one from the request before often is.
    """
    conditional, wants_gzip = number % 2 == 1, number // 2 % 2 == 1
    connection, etags = Connection(port), dict[str, str]()
    try:
        for count in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            step = count // 2 if conditional else count
            path = paths[(number * 7 + step) % len(paths)]
            headers = {"Accept-Encoding": "gzip"} if wants_gzip else {}
            if conditional and path in etags:
                headers["If-None-Match"] = etags[path]
            try:
                status, response_headers, body = connection.get(path, headers)
            except OSError as exc:
                tally.problems.append(f"{path}: {exc!r}")
                connection.close()
                continue
            tally.statuses[status] += 1
            if status == 200:
                etags[path] = response_headers["ETag"]
                problem = body_problem(path, response_headers, body)
            else:
                problem = None if status == 304 and body == b"" else f"{status}: {body[:200]!r}"
            if problem:
                tally.problems.append(f"{path}: {problem}")
    finally:
        tally.retries = connection.retries
        connection.close()


def run_checker(port: int, samples: list[Sample], deadline: float) -> None:
    """Each checked feed between two /healthz on one connection (so one worker): when
    both name the same version, the feed was built from that version."""
    count = 0
    while time.monotonic() < deadline and count < MAX_REQUESTS_PER_CLIENT:
        path = CHECKED_FEEDS[count % len(CHECKED_FEEDS)]
        count += 1
        connection = Connection(port)
        try:
            before = json.loads(connection.get("/healthz", {})[2])["version"]
            started = time.monotonic()
            status, headers, body = connection.get(path, {})
            finished = time.monotonic()
            after = json.loads(connection.get("/healthz", {})[2])["version"]
        finally:
            connection.close()
        problem = body_problem(path, headers, body) if status == 200 else f"status {status}"
        assert problem is None, f"{path}: {problem}"
        version = before if before == after else None
        samples.append(Sample(started, finished, version, guids_in(path, body)))


def mutate(archive: Path, history: History, started: float, deadline: float) -> None:
    """Every second: rewrite a file, add one, remove the oldest added beyond ADDED_KEPT.
    After each step, the version and entries of the archive as it now is."""
    loader = CatalogLoader(archive)

    def record() -> None:
        loaded = loader.load()
        history.guids_at_version[loaded.version] = frozenset(e.guid for e in loaded.entries)

    record()
    for tick in range(1, int(DURATION) + 1):
        time.sleep(max(0.0, started + tick - time.monotonic()))
        if time.monotonic() >= deadline:
            break
        edit_half_way(archive / "half-way.txt", tick)
        history.half_way.append(tick)
        write_atomically(
            archive / "rewritten.txt", entry_text(0, "Rewritten entry", f"Version {tick}.")
        )
        record()
        title = f"Soak test addition number {tick}"
        write_atomically(archive / f"added-{tick:03d}.txt", entry_text(tick, title, "New."))
        history.in_place[tick] = time.monotonic()
        record()
        history.added_guid[tick] = next(e.guid for e in loader.load().entries if e.title == title)
        if tick > ADDED_KEPT:
            gone = tick - ADDED_KEPT
            history.removing[gone] = time.monotonic()
            os.unlink(archive / f"added-{gone:03d}.txt")
            record()


def edit_half_way(path: Path, tick: int) -> None:
    """Rewrite ``path`` in place in two writes with a pause between, as a slow editor or
    a copy does: for HALF_WAY_PAUSE the file ends inside the title."""
    text = entry_text(100 + tick, f"Halfway edit {tick} complete", "Written in two steps.")
    cut = text.index(" complete")
    with path.open("w", encoding="utf-8") as file:
        file.write(text[:cut])
        file.flush()
        time.sleep(HALF_WAY_PAUSE)
        file.write(text[cut:])


def half_way_slug(tick: int) -> str:
    """The slug the truncated entry of a half-way edit would have (its title cut short)."""
    return f"halfway-edit-{tick}"


def feed_paths(port: int) -> list[str]:
    """Every feed the OPML lists (all, countries, topics, regions), in all three formats."""
    status, _, body = liveserver.get(port, "/feeds.opml")
    assert status == 200
    prefix = f"http://{HOST}:{port}"
    atom = [o.get("xmlUrl", "") for o in parse_opml(body).iter("outline") if o.get("xmlUrl")]
    assert atom and all(url.startswith(prefix) and url.endswith(".atom") for url in atom)
    return [
        url.removeprefix(prefix).replace(".atom", f".{ext}")
        for url in atom
        for ext in ("atom", "rss", "json")
    ]


def body_problem(path: str, headers: http.client.HTTPMessage, body: bytes) -> str | None:
    """Why ``body`` is not a well-formed feed of the kind ``path`` names, if it is not."""
    if headers["Content-Encoding"] == "gzip":
        body = gzip.decompress(body)
    try:
        if ".json" in path:
            return None if isinstance(json.loads(body)["items"], list) else "no items"
        tag = etree.fromstring(body).tag
    except (ValueError, KeyError, etree.XMLSyntaxError) as exc:
        return f"malformed: {exc!r}"
    return None if tag in (f"{ATOM}feed", "rss") else f"root element {tag}"


def guids_in(path: str, body: bytes) -> frozenset[str]:
    if ".json" in path:
        return frozenset(item["id"] for item in json.loads(body)["items"])
    return frozenset(e.text or "" for e in etree.fromstring(body).iterfind(f"{ATOM}entry/{ATOM}id"))


def entry_text(number: int, title: str, summary: str) -> str:
    """An entry dated ``number`` days into 2024: newer than the real archive's, and past."""
    date = dt.date(2024, 1, 1) + dt.timedelta(days=number)
    return f"{date.isoformat()}\n\n{title}\n\n{summary}\n"
