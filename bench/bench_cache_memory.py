"""The response cache's bound in bytes (issue 14): 10,000 distinct URLs, every worker's memory.

Starts the app under gunicorn with the production options of ``feeds serve`` (preload,
2 workers) and ``FEEDS_RESPONSE_CACHE_BYTES`` set, then requests distinct large
documents, ``/feeds/all.json?limit=100&since=<a distinct day>`` (each about 0.1-0.2 MB
with its gzip copy, as in the issue's report), identity and gzip in turn, from a few
client threads over keep-alive connections. Each worker's private memory (USS, from
``/proc/PID/smaps_rollup``) is sampled before and as the requests go: its growth must stay
within the bound. Before the bound in bytes, 2,100 such requests took one worker from 99 MB
to 1.63 GB. It prints figures; it is not a test.

    .venv/bin/python bench/bench_cache_memory.py [--urls 10000] [--bound-mb 64] [--entries 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import sys
import threading
import time
from urllib.parse import urlsplit

from httpbench import memory_mb, reference_server, worker_pids
from synth import cached_archive

FIRST_DAY = dt.date(1998, 1, 1)
CLIENTS = 4


def urls(count: int) -> list[str]:
    return [
        f"/feeds/all.json?limit=100&since={FIRST_DAY + dt.timedelta(days=number)}"
        for number in range(count)
    ]


def fetch_all(base_url: str, paths: list[str], progress: list[int]) -> int:
    """GET every path (gzip for every other one), ``CLIENTS`` at a time; body bytes."""
    address = urlsplit(base_url)
    received = [0]
    lock = threading.Lock()
    chunks = [paths[number::CLIENTS] for number in range(CLIENTS)]

    def client(chunk: list[str]) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        for number, path in enumerate(chunk):
            headers = {"Accept-Encoding": "gzip"} if number % 2 else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                sys.exit(f"bench: {path} answered {response.status}")
            with lock:
                received[0] += len(body)
                progress[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return received[0]


def measure(entries: int, count: int, bound: int) -> dict[str, object]:
    archive = cached_archive(entries)
    settings = {"FEEDS_RESPONSE_CACHE_BYTES": str(bound), "FEEDS_RELOAD_SECONDS": "0"}
    with reference_server(archive, workers=2, settings=settings) as server:
        pids = worker_pids(server.pid)
        fetch_all(server.base_url, urls(2) * 4, [0])  # warm up: code paths, not the cache
        before = {pid: memory_mb(pid)["uss"] for pid in pids}
        peak = dict(before)
        progress = [0]
        result: list[int] = []
        started = time.perf_counter()
        worker = threading.Thread(
            target=lambda: result.append(fetch_all(server.base_url, urls(count), progress))
        )
        worker.start()
        samples = []
        while worker.is_alive():
            worker.join(timeout=0.5)
            now = {pid: memory_mb(pid)["uss"] for pid in pids}
            peak = {pid: max(peak[pid], now[pid]) for pid in pids}
            samples.append((progress[0], now))
        seconds = time.perf_counter() - started
        after = {pid: memory_mb(pid) for pid in pids}
    return {"before": before, "peak": peak, "after": after, "samples": samples,
            "seconds": seconds, "bytes": result[0], "pids": pids}  # fmt: skip


def worst_growth(figures: dict[str, object]) -> float:
    """MB: the largest growth of a worker's private memory during the requests."""
    before: dict[int, float] = figures["before"]  # type: ignore[assignment]
    peak: dict[int, float] = figures["peak"]  # type: ignore[assignment]
    return max(peak[pid] - before[pid] for pid in before)


def report(figures: dict[str, object], count: int, bound: int, entries: int) -> str:
    bound_mb = bound / 2**20
    pids: list[int] = figures["pids"]  # type: ignore[assignment]
    before: dict[int, float] = figures["before"]  # type: ignore[assignment]
    peak: dict[int, float] = figures["peak"]  # type: ignore[assignment]
    after: dict[int, dict[str, float]] = figures["after"]  # type: ignore[assignment]
    lines = [
        f"{count:,} distinct URLs /feeds/all.json?limit=100&since=DAY over {entries:,} entries, "
        f"identity and gzip in turn, {CLIENTS} clients; gunicorn, 2 workers (production "
        f"options); FEEDS_RESPONSE_CACHE_BYTES = {bound_mb:g} MiB",
        f"answered in {figures['seconds']:.0f} s, {figures['bytes'] / 2**20:.0f} MB of bodies "
        f"sent ({figures['bytes'] / count / 1024:.0f} KB per answer)",
        f"  {'worker':<8} {'USS before':>10} {'peak':>8} {'growth':>8} {'bound':>7}   "
        f"{'RSS after':>9} {'PSS after':>9}",
    ]
    worst = 0.0
    for number, pid in enumerate(pids, start=1):
        growth = peak[pid] - before[pid]
        worst = max(worst, growth)
        lines.append(
            f"  {number:<8} {before[pid]:>7.0f} MB {peak[pid]:>5.0f} MB {growth:>5.0f} MB "
            f"{bound_mb:>4.0f} MB   {after[pid]['rss']:>6.0f} MB {after[pid]['pss']:>6.0f} MB"
        )
    lines.append(f"worst growth of a worker's own memory: {worst:.0f} MB (the cache's bound: "
                 f"{bound_mb:g} MiB; the app's own share is measured below)")  # fmt: skip
    samples: list[tuple[int, dict[int, float]]] = figures["samples"]  # type: ignore[assignment]
    step = max(1, len(samples) // 8)
    trace = "  ".join(
        f"{done:,}: " + "/".join(f"{uss[pid]:.0f}" for pid in pids) for done, uss in samples[::step]
    )
    lines.append(f"USS (MB) of the workers as the requests went: {trace}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--bound-mb", type=float, default=64)
    parser.add_argument("--entries", type=int, default=2000)
    args = parser.parse_args(argv)
    bound = int(args.bound_mb * 2**20)
    baseline = measure(args.entries, args.urls, 0)
    figures = measure(args.entries, args.urls, bound)
    print(report(figures, args.urls, bound, args.entries))
    own, worst = worst_growth(baseline), worst_growth(figures)
    held = worst - own
    verdict = "PASS" if held <= args.bound_mb else "FAIL"
    print(f"the same requests with no cache (FEEDS_RESPONSE_CACHE_BYTES=0): a worker's own "
          f"memory grows {own:.0f} MB at worst (building, the allocator, pages of the shared "
          f"archive written to); the cache itself then holds about {held:.0f} MB, target "
          f"<= {args.bound_mb:g} MiB  {verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
