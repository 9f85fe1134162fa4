"""Scale (issue 7, targets 3 to 6): does anything cost in proportion to the archive?

1. Building a 20-item feed (all, the largest country, the largest topic, and ``since``)
   for archives of 1,000 and 200,000 entries: median of many builds, side by side.
2. ``q=`` searches over 200,000 entries: a feed of the hits, for realistic queries.
3. Loading 200,000 entries: time to a ready catalog and peak memory, in a fresh process
   (its forked parsers are reported apart). Then reloads after editing one file (of the
   same size in both archives), with 1,000 and with 200,000 entries, taking turns: the
   ratio of their medians says whether a reload costs in proportion to the archive.
4. gunicorn (production options, 2 workers, preload) on the 200,000 entries: time until
   it answers, and each process's memory from ``/proc/PID/smaps_rollup`` after traffic:
   a worker's USS (pages only it has) shows how much of the loaded copy it shares.

Steps 1-3 run in one child process so that its peak memory is the load's own. It prints
figures; it is not a test.

    .venv/bin/python bench/bench_scale.py [--large 200000] [--small 1000] [--builds 300]
                                          [--loads 3] [--edits 9]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_parse import time_edit, time_reloads
from httpbench import get, memory_mb, reference_server, worker_pids, wrk
from synth import cached_archive

TARGET_BUILD_RATIO = 1.5
TARGET_SEARCH_MS = 20.0
TARGET_LOAD_S = 10.0
TARGET_WORKER_MB = 600.0
#: Reloading after one file changed: with 200,000 entries as with 1,000 (same file size).
TARGET_RELOAD_RATIO = 1.5
#: Realistic ``q=`` values: words and pairs from the newsroom's own vocabulary.
QUERIES = (
    "police", "trafficking", "migrant workers", "covid", "mexicali", "gender violence",
    "ethical recruitment", "border", "iom", "migration", "costa rica", "information hub",
    "honduras labour", "children protection", "digital commerce", "recruitment",
    "dialogue authorities", "training course", "haiti", "governance indicators",
)  # fmt: skip


# --- In the child process ---------------------------------------------------------------


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def timed_load(directory: Path) -> tuple[Any, Any, float, float]:
    """(loader, catalog, wall seconds, CPU seconds of this process) of a first load."""
    from feeds.catalog import CatalogLoader

    started, cpu = time.perf_counter(), time.process_time()
    loader = CatalogLoader(directory)
    catalog = loader.load()
    return loader, catalog, time.perf_counter() - started, time.process_time() - cpu


def reload_figures(archives: dict[str, Path], edits: int) -> dict[str, dict[str, Any]]:
    """For each archive (a copy): a full load, a reload after touching one file, then
    ``edits`` reloads each after appending an entry to it, the archives taking turns.
    After each of those, the time to find the feeds that WebSub announces."""
    from feeds.catalog.changes import changed_selection_paths

    with tempfile.TemporaryDirectory(prefix="feeds-bench-reload-") as temporary:
        runs = {}
        for size, directory in archives.items():
            copy = Path(temporary) / size
            shutil.copytree(directory, copy)
            loader, catalog, full, _cpu = timed_load(copy)
            some_file = copy / catalog.archive.files[len(catalog.archive.files) // 2]
            touch_s, _touched, edit_s, edited = time_reloads(loader.load, some_file)
            assert len(edited.entries) == len(catalog.entries) + 1
            entries = sum(1 for e in edited.entries if copy / e.source.path == some_file)
            runs[size] = [loader, some_file, edited, {"full_s": full, "touch_s": touch_s,
                          "edit_s": [edit_s], "changed_s": [], "entries": len(edited.entries),
                          "file_entries": entries}]  # fmt: skip
        gc.freeze()  # what loaded stays: as the server does after loading (webapp/server.py)
        for number in range(edits - 1):
            for run in runs.values():
                loader, some_file, previous, figures = run
                edit_s, edited = time_edit(loader.load, some_file, f"Edit {number}")
                run[2] = edited
                figures["edit_s"].append(edit_s)
                started = time.perf_counter()
                assert "all" in changed_selection_paths(previous, edited)
                figures["changed_s"].append(time.perf_counter() - started)
    return {size: run[3] for size, run in runs.items()}


def build_times(catalogs: dict[str, Any], builds: int) -> dict[str, dict[str, float]]:
    """Median milliseconds to build each 20-item feed, per catalog, interleaved."""
    from feeds.documents.feed import FeedRequest, build_feed, parse_params

    site, urls = site_and_urls()
    feeds = feed_requests(catalogs["large"])
    samples: dict[str, dict[str, list[float]]] = {
        name: {size: [] for size in catalogs} for name in feeds
    }
    for _round in range(builds):
        for name, (selection, args) in feeds.items():
            for size, catalog in catalogs.items():
                params = parse_params(args, catalog, default_limit=20, max_limit=100)
                started = time.perf_counter()
                build_feed(FeedRequest(catalog, selection, params, site, urls, 20), "atom")
                samples[name][size].append((time.perf_counter() - started) * 1000)
    return {
        name: {size: statistics.median(values) for size, values in by_size.items()}
        for name, by_size in samples.items()
    }


def feed_requests(catalog: Any) -> dict[str, tuple[Any, dict[str, list[str]]]]:
    from feeds.catalog.selection import ALL, resolve
    from feeds.classify.countries import country_by_code

    country = max(catalog.country_index, key=lambda code: len(catalog.country_index[code]))
    topic = max(catalog.topic_index, key=lambda slug: len(catalog.topic_index[slug]))
    mexico = resolve(catalog, "country", country_by_code(country).slug)
    return {
        "all": (ALL, {}),
        f"country/{mexico.slug}": (mexico, {}),
        f"topic/{topic}": (resolve(catalog, "topic", topic), {}),
        "all?since=2010-01-01": (ALL, {"since": ["2010-01-01"]}),
        f"country/{mexico.slug}?since=2010-01-01": (mexico, {"since": ["2010-01-01"]}),
    }


def site_and_urls() -> tuple[Any, Any]:
    from dateutil import tz

    from feeds.documents.feed import SiteInfo
    from feeds.urls import SiteUrls

    site = SiteInfo("Newsroom", "Newsroom", "en", tz.gettz("UTC"), "newsroom.example.org")
    return site, SiteUrls("https://news.example.org")


def search_times(catalog: Any, runs: int = 5) -> dict[str, tuple[float, int]]:
    """Per query: median milliseconds to build the 20-item feed of its hits, and hits."""
    from feeds.catalog.selection import ALL
    from feeds.documents.feed import FeedRequest, build_feed, parse_params, select_page

    site, urls = site_and_urls()
    figures = {}
    for query in QUERIES:
        params = parse_params({"q": [query]}, catalog, default_limit=20, max_limit=100)
        times = []
        for _run in range(runs):
            started = time.perf_counter()
            build_feed(FeedRequest(catalog, ALL, params, site, urls, 20), "atom")
            times.append((time.perf_counter() - started) * 1000)
        figures[query] = (statistics.median(times), select_page(catalog, ALL, params).total)
    return figures


def load_figures(catalog: Any, load_s: float, load_cpu: float) -> dict[str, Any]:
    """Figures of a first load in this process (and the parsers it forked)."""
    return {
        "entries": len(catalog.entries),
        "files": len(catalog.archive.files),
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "parsers_cpu_s": os.times().children_user + os.times().children_system,
        "peak_mb": peak_mb(),
        "parser_peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
    }


def measure(large: Path, small: Path, builds: int, edits: int) -> dict[str, Any]:
    _loader, catalog, load_s, load_cpu = timed_load(large)
    figures = load_figures(catalog, load_s, load_cpu)
    _small_loader, small_catalog, _s, _c = timed_load(small)
    figures["small_entries"] = len(small_catalog.entries)
    figures["builds"] = build_times({"small": small_catalog, "large": catalog}, builds)
    figures["search"] = search_times(catalog)
    del catalog, _loader, small_catalog, _small_loader
    figures["reload"] = reload_figures({"small": small, "large": large}, edits)
    return figures


# --- In the parent ----------------------------------------------------------------------


def serve_figures(archive: Path, seconds: float) -> dict[str, Any]:
    """Time to answer, then memory per process after traffic on several feeds."""
    started = time.perf_counter()
    with reference_server(archive, workers=2, timeout=600) as server:
        ready = time.perf_counter() - started
        for path in ("/feeds/all.atom", "/feeds/country/mexico.rss", "/feeds/topic/health.json",
                     "/feeds/all.atom?q=police", "/"):  # fmt: skip
            get(server.base_url + path)
        wrk(server.base_url + "/feeds/all.atom", seconds=seconds, connections=8)
        wrk(server.base_url + "/feeds/all.atom?q=border", seconds=seconds, connections=8)
        master = memory_mb(server.pid)
        workers = [memory_mb(pid) for pid in worker_pids(server.pid)]
    return {"ready_s": ready, "master": master, "workers": workers}


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(child: dict[str, Any], served: dict[str, Any]) -> str:
    lines = [f"archives: {child['small_entries']:,} and {child['entries']:,} entries "
             f"({child['files']} files); 20-item Atom feeds, median of the builds"]  # fmt: skip
    lines.append(f"  {'feed':<34} {'small':>8} {'large':>8} {'ratio':>6}")
    worst = 0.0
    for name, by_size in child["builds"].items():
        ratio = by_size["large"] / by_size["small"]
        worst = max(worst, ratio)
        lines.append(f"  {name:<34} {by_size['small']:>6.2f}ms {by_size['large']:>6.2f}ms "
                     f"{ratio:>6.2f}")  # fmt: skip
    lines.append(f"3. build cost, large/small (worst)   {worst:.2f}   target <= "
                 f"{TARGET_BUILD_RATIO:g}  {verdict(worst <= TARGET_BUILD_RATIO)}")  # fmt: skip
    search = child["search"]
    median = statistics.median(ms for ms, _hits in search.values())
    slowest = max(search, key=lambda q: search[q][0])
    ms, hits = search[slowest]
    lines.append(f"4. q= search feed, median of {len(search)} queries   {median:.1f} ms   target < "
                 f"{TARGET_SEARCH_MS:g} ms  {verdict(median < TARGET_SEARCH_MS)}   "
                 f"(slowest: '{slowest}' {ms:.1f} ms, {hits:,} hits)")  # fmt: skip
    loads = child["loads"]
    best = loads[0]
    median = statistics.median(load["load_s"] for load in loads)
    peak = max(load["peak_mb"] for load in loads)
    lines.append(f"5. load {child['entries']:,} entries   {best['load_s']:.1f} s   best of "
                 f"{len(loads)} cold loads; target < {TARGET_LOAD_S:g} s  "
                 f"{verdict(best['load_s'] < TARGET_LOAD_S)}   (CPU: {best['load_cpu_s']:.1f} s "
                 f"here + {best['parsers_cpu_s']:.1f} s in forked parsers)")  # fmt: skip
    seconds = ", ".join(f"{load['load_s']:.1f}" for load in loads)
    lines.append(f"   median {median:.1f} s  {verdict(median < TARGET_LOAD_S)}   (loads: "
                 f"{seconds} s)")  # fmt: skip
    lines.append(f"   peak memory of the loading process  {peak:.0f} MB  target < "
                 f"{TARGET_WORKER_MB:g} MB  {verdict(peak < TARGET_WORKER_MB)}   "
                 f"(forked parser {best['parser_peak_mb']:.0f} MB, then gone)")  # fmt: skip
    master = served["master"]
    lines.append(f"   gunicorn, 2 workers, preload: answering after {served['ready_s']:.1f} s; "
                 f"master RSS {master['rss']:.0f} MB")  # fmt: skip
    for number, worker in enumerate(served["workers"], start=1):
        ok = worker["rss"] < TARGET_WORKER_MB
        lines.append(f"   worker {number}: RSS {worker['rss']:.0f} MB, PSS {worker['pss']:.0f} MB, "
                     f"USS (its own) {worker['uss']:.0f} MB  {verdict(ok)}")  # fmt: skip
    small, large = child["reload"]["small"], child["reload"]["large"]
    edit_small, edit_large = statistics.median(small["edit_s"]), statistics.median(large["edit_s"])
    ratio = edit_large / edit_small
    lines.append(f"6. reload after editing one file of {large['file_entries']:,} entries, median "
                 f"of {len(large['edit_s'])}: {edit_small * 1000:.0f} ms with {small['entries']:,} "
                 f"entries, {edit_large * 1000:.0f} ms with {large['entries']:,}")  # fmt: skip
    lines.append(f"   reload cost, large/small   {ratio:.2f}   target <= {TARGET_RELOAD_RATIO:g} "
                 f"(as for 3)  {verdict(ratio <= TARGET_RELOAD_RATIO)}   (edits: "
                 + ", ".join(f"{s * 1000:.0f}" for s in large["edit_s"]) + " ms)")  # fmt: skip
    lines.append(f"   after touching it (same bytes): {large['touch_s'] * 1000:.0f} ms; a full "
                 f"load {large['full_s']:.1f} s")  # fmt: skip
    changed = [statistics.median(s["changed_s"]) * 1000 for s in (small, large)]
    lines.append(f"   then finding the feeds to announce (WebSub): {changed[0]:.1f} ms with "
                 f"{small['entries']:,} entries, {changed[1]:.1f} ms with "
                 f"{large['entries']:,}")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--builds", type=int, default=300)
    parser.add_argument("--edits", type=int, default=9, help="reloads after an edit, per archive")
    parser.add_argument("--seconds", type=float, default=3, help="traffic before measuring")
    parser.add_argument(
        "--loads", type=int, default=3,
        help="cold loads of the large archive, each in a fresh process (default 3: this "
             "VM's speed varies by up to half between minutes)",
    )  # fmt: skip
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # the measuring process
        print(json.dumps(measure(args.child[0], args.child[1], args.builds, args.edits)))
        return 0
    if args.child_load:  # a process that only loads
        _loader, catalog, load_s, load_cpu = timed_load(args.child_load)
        print(json.dumps(load_figures(catalog, load_s, load_cpu)))
        return 0
    large, small = cached_archive(args.large), cached_archive(args.small)
    commands = [[sys.executable, __file__, "--builds", str(args.builds), "--edits",
                 str(args.edits), "--child", str(large), str(small)]]  # fmt: skip
    commands += [[sys.executable, __file__, "--child-load", str(large)]] * (args.loads - 1)
    results = []
    for command in commands:
        child = subprocess.run(command, capture_output=True, text=True, check=False)
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        results.append(json.loads(child.stdout))
    figures = results[0]
    figures["loads"] = sorted(results, key=lambda result: result["load_s"])
    served = serve_figures(large, args.seconds)
    print(report(figures, served))
    return 0


if __name__ == "__main__":
    sys.exit(main())
