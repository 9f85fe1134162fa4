"""HTTP throughput (issue 7, targets 1 and 2): feeds against bytes served from memory.

Starts ``reference_app.py`` under gunicorn with the production options of ``feeds serve``
(preload, the same workers), then runs ``wrk`` in a separate process against, side by side
and in alternation, rounds of:

* the reference route, which answers the feed's bytes from memory;
* the feed itself, requested again and again (built once, then answered from cache);
* the same feed with ``If-None-Match`` its ETag, answered 304.

The median of the rounds is compared with the reference. It prints figures; it is not a
test.

    .venv/bin/python bench/bench_http.py [--entries N] [--workers 2] [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from httpbench import Run, Server, get, reference_server, worker_pids, wrk
from reference_app import REFERENCE_PATH, REFERENCE_ROUTE
from synth import cached_archive

REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"
TARGET_REPEATED = 0.85
TARGET_NOT_MODIFIED = 0.9


def archive_for(entries: int) -> Path:
    return REAL_ARCHIVE if entries <= 20 else cached_archive(entries)


def check_answers(base_url: str) -> str:
    """The feed equals the reference, and its ETag earns a 304; returns the ETag."""
    status, headers, body = get(base_url + REFERENCE_PATH)
    reference = get(base_url + REFERENCE_ROUTE)[2]
    if status != 200 or body != reference:
        sys.exit(f"bench: {REFERENCE_PATH} answered {status}, or not the reference's bytes")
    etag = headers["ETag"]
    if get(base_url + REFERENCE_PATH, {"If-None-Match": etag})[0] != 304:
        sys.exit(f"bench: If-None-Match {etag} was not answered 304")
    return etag


ROUTES = ("reference (bytes from memory)", "repeated feed request (200)",
          "conditional request (304)")  # fmt: skip
TARGETS = {ROUTES[1]: TARGET_REPEATED, ROUTES[2]: TARGET_NOT_MODIFIED}


def measure(server: Server, etag: str, rounds: int, seconds: float,
            connections: int) -> dict[str, list[Run]]:  # fmt: skip
    """``rounds`` rounds of every route, the order rotated each round against drift."""
    runs = dict(
        zip(
            ROUTES,
            [
                (REFERENCE_ROUTE, []),
                (REFERENCE_PATH, []),
                (REFERENCE_PATH, [f"If-None-Match: {etag}"]),
            ],
            strict=True,
        )
    )
    pids = [server.pid, *worker_pids(server.pid)]
    figures: dict[str, list[Run]] = {name: [] for name in runs}
    wrk(server.base_url + REFERENCE_ROUTE, seconds=1, connections=connections)  # warm up
    for number in range(rounds):
        order = ROUTES[number % 3 :] + ROUTES[: number % 3]
        for name in order:
            path, headers = runs[name]
            figures[name].append(wrk(server.base_url + path, seconds=seconds,
                                     connections=connections, headers=headers,
                                     server_pids=pids))  # fmt: skip
    return figures


def report(figures: dict[str, list[Run]], workers: int, connections: int) -> str:
    """Median throughput per route; ratios are medians of the per-round ratios."""
    reference = figures[ROUTES[0]]
    lines = [
        f"gunicorn: {workers} workers (the options of feeds serve); wrk: 1 thread, "
        f"{connections} connections; {len(reference)} rounds, routes alternating",
        f"{'route':<30} {'req/s':>7} {'ratio':>6} {'target':>7}       "
        f"{'server CPU/req':>14} {'CPU ratio':>9}",
    ]
    for name in ROUTES:
        runs = figures[name]
        ratio = statistics.median(
            run.requests_per_second / ref.requests_per_second
            for run, ref in zip(runs, reference, strict=True))  # fmt: skip
        cpu_ratio = statistics.median(
            ref.cpu_us_per_request / run.cpu_us_per_request
            for run, ref in zip(runs, reference, strict=True))  # fmt: skip
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f">= {target:g} {'PASS' if ratio >= target else 'FAIL'}")  # fmt: skip
        lines.append(
            f"{name:<30} {statistics.median(r.requests_per_second for r in runs):>7.0f} "
            f"{ratio:>6.2f} {verdict:>13} "
            f"{statistics.median(r.cpu_us_per_request for r in runs):>11.0f} µs "
            f"{cpu_ratio:>9.2f}")  # fmt: skip
    lines.append(
        "ratio: route's req/s over the reference's in the same round (median); "
        "CPU ratio: the reference's server CPU time per request over the route's"
    )
    lines.append("rounds (req/s, server CPU µs per request):")
    for name in ROUTES:
        rounds = "  ".join(
            f"{r.requests_per_second:.0f}/{r.cpu_us_per_request:.0f}" for r in figures[name]
        )
        lines.append(f"  {name.split(' (')[0]:<22} {rounds}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--entries",
        type=int,
        default=20,
        help="synthetic archive size; 20 (default) serves the real archive",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    archive = archive_for(args.entries)
    with reference_server(archive, args.workers) as server:
        etag = check_answers(server.base_url)
        figures = measure(server, etag, args.rounds, args.seconds, args.connections)
    print(f"archive: {archive.name} ({args.entries:,} entries)")
    print(report(figures, args.workers, args.connections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
