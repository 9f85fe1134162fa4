"""Target 1 of issue 19: a restart with an unchanged archive ready in under 1 s at 200,000.

Each step runs in a fresh process (a restart is one), in turns:

1. a cold first load (``CatalogLoader``, forked parsers), then the snapshot written
   (:mod:`feeds.catalog.snapshot`): its size and the time to write it;
2. restarts: the snapshot read and checked, the catalog built from it, ready to answer;
3. a restart after one file changed (an entry appended): that file alone is parsed.

It prints figures; it is not a test.

    .venv/bin/python bench/bench_snapshot.py [--entries 200000] [--restarts 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synth import cached_archive

TARGET_RESTART_S = 1.0


def child(mode: str, directory: Path, snapshot_file: Path) -> dict[str, Any]:
    """``first``: a load with no snapshot, then the snapshot written; ``restart``: a load
    from the snapshot through ``CatalogLoader``'s own hook, counting the files parsed."""
    from feeds.archive.files import TAXONOMY_FILE, ArchiveLoader, read_data_files
    from feeds.archive.forking import collector_paused
    from feeds.catalog import CatalogLoader, snapshot

    parsed: list[str] = []
    parse = ArchiveLoader._parse

    def counting(self: Any, pending: Any) -> Any:
        parsed.append(pending.relative)
        return parse(self, pending)

    ArchiveLoader._parse = counting  # type: ignore[method-assign]
    first = mode == "first"
    started = time.perf_counter()
    snapshot_file_or_none = None if first else snapshot_file
    loader = CatalogLoader(directory, snapshot=snapshot_file_or_none, snapshot_in_background=True)
    catalog = loader.load()
    figures: dict[str, Any] = {"ready_s": time.perf_counter() - started}
    figures.update(entries=len(catalog.entries), parsed=len(parsed))
    if first:
        key = loader._snapshot_key(read_data_files(directory).get(TAXONOMY_FILE))
        started = time.perf_counter()
        snapshot.remember(loader._archive, snapshot_file, key)
        figures["save_s"] = time.perf_counter() - started
        figures["size_mb"] = snapshot_file.stat().st_size / 2**20
        started = time.perf_counter()
        with collector_paused():  # as in a load
            snapshot.load(snapshot_file, key)
        figures["read_s"] = time.perf_counter() - started
    return figures


def run_child(mode: str, directory: Path, snapshot_file: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, str(directory), str(snapshot_file)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: {mode} failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, directory, snapshot_file = args.child
        print(json.dumps(child(mode, Path(directory), Path(snapshot_file))))
        return 0
    with tempfile.TemporaryDirectory(prefix="feeds-bench-snapshot-") as temporary:
        archive = Path(temporary) / "archive"
        shutil.copytree(cached_archive(args.entries), archive)
        snapshot_file = Path(temporary) / "cache" / "archive.snapshot"
        first = run_child("first", archive, snapshot_file)
        restarts = [run_child("restart", archive, snapshot_file) for _ in range(args.restarts)]
        some_file = sorted(archive.rglob("*.txt"))[len(restarts) % 7]
        with some_file.open("a", encoding="utf-8") as file:
            file.write("\n\n2025-06-01\n\nAn entry added after the snapshot\n\nNews.\n")
        edited = run_child("restart", archive, snapshot_file)
        served = serve_twice(archive, Path(temporary) / "served-cache")
    if any(r["parsed"] for r in restarts) or edited["parsed"] != 1:
        sys.exit(f"bench: restarts parsed {[r['parsed'] for r in [*restarts, edited]]} files")
    ready = [r["ready_s"] for r in restarts]
    best, median = min(ready), statistics.median(ready)
    reading = first["read_s"]
    print(f"{first['entries']:,} entries; each step in a fresh process")
    print(f"  first load (cold, forked parsers)   {first['ready_s']:.2f} s; then the snapshot "
          f"written in {first['save_s']:.2f} s ({first['size_mb']:.0f} MB)")  # fmt: skip
    verdict = "PASS" if median < TARGET_RESTART_S else "FAIL"
    print(f"1. restart, unchanged archive: ready in {median:.2f} s median, {best:.2f} s best "
          f"(runs: {', '.join(f'{s:.2f}' for s in ready)}); of which reading and checking the "
          f"snapshot {reading:.2f} s, the catalog's build the rest; target < "
          f"{TARGET_RESTART_S:g} s  {verdict}")  # fmt: skip
    print(f"   restart after appending an entry to one file: {edited['ready_s']:.2f} s "
          f"({edited['entries']:,} entries)")  # fmt: skip
    print(f"   gunicorn (2 workers, the options of `feeds serve`) answering /healthz after "
          f"start: {served[0]:.2f} s cold, {served[1]:.2f} s restarted from the "
          f"snapshot")  # fmt: skip
    return 0


def serve_twice(archive: Path, cache: Path) -> tuple[float, float]:
    """Seconds until the server answers: started cold (it writes its snapshot), then again."""
    from httpbench import reference_server

    settings = {"FEEDS_SNAPSHOT_DIR": str(cache)}
    times = []
    for _start in range(2):
        started = time.perf_counter()
        with reference_server(archive, workers=2, timeout=600, settings=settings):
            times.append(time.perf_counter() - started)
            deadline = time.monotonic() + 120
            while not any(cache.glob("*.snapshot")) and time.monotonic() < deadline:
                time.sleep(0.2)  # the forked writer, after a cold start
            time.sleep(1)
    return times[0], times[1]


if __name__ == "__main__":
    sys.exit(main())
