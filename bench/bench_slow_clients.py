"""Slow clients (issue 14): normal requests while hundreds of connections trickle.

Runs ``feeds serve`` (gevent workers, as shipped) over the real archive on loopback,
opens ``--connections`` connections that never finish their request (four in five send a
header line every ``--every`` seconds, one in five a POST body a byte at a time), holds
them for ``--seconds``, and meanwhile requests ``/healthz`` and a feed, one request every
0.1 s on a new connection. Target: median latency under 100 ms, no request failing.

    .venv/bin/python bench/bench_slow_clients.py [--connections 500] [--seconds 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import liveserver  # modules of tests/, shared with tests/test_server.py
from slowclients import Probes, SlowClients, probe

TARGET_MS = 100
PATHS = ("/healthz", "/feeds/all.atom")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between trickles")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as directory:
        results, held = run(Path(directory), args)
    print_table(args, results, held)
    passed = all(r.median_ms < TARGET_MS and not r.failures for r in results.values())
    return 0 if passed else 1


def run(directory: Path, args: argparse.Namespace) -> tuple[dict[str, Probes], int]:
    port = liveserver.free_port()
    log = directory / "serve.log"
    archive = liveserver.ROOT / "archive"
    command = [str(liveserver.BIN / "feeds"), "serve", "--host", liveserver.HOST,
               "--port", str(port), "--workers", str(args.workers),
               "--archive", str(archive)]  # fmt: skip
    process = liveserver.start(command, log, liveserver.app_environ(archive))
    try:
        liveserver.wait_until_serving(port, process, log)
        bodies = args.connections // 5
        with SlowClients(port, args.connections - bodies, bodies, args.every) as slow:
            results = probe_meanwhile(port, args.seconds)
            held = slow.open_count()
    finally:
        liveserver.stop(process)
    return results, held


def probe_meanwhile(port: int, seconds: float) -> dict[str, Probes]:
    """Each path probed in its own thread, every 0.1 s, for ``seconds``."""
    results: dict[str, Probes] = {}
    count = int(seconds / 0.1)

    def one(path: str) -> None:
        results[path] = probe(port, path, count=count, every=0.1, timeout=5)

    threads = [threading.Thread(target=one, args=(path,)) for path in PATHS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def print_table(args: argparse.Namespace, results: dict[str, Probes], held: int) -> None:
    print(
        f"{args.connections} slow connections held {args.seconds:.0f} s "
        f"({held} still open at the end), {args.workers} gevent workers"
    )
    print(f"{'request':<18} {'answered':>8} {'failed':>6} {'median':>9} {'max':>9}  target")
    for path, probes in results.items():
        worst = max(probes.latencies, default=float("nan")) * 1000
        verdict = "pass" if probes.median_ms < TARGET_MS and not probes.failures else "FAIL"
        print(
            f"{path:<18} {len(probes.latencies):>8} {len(probes.failures):>6} "
            f"{probes.median_ms:>7.1f}ms {worst:>7.1f}ms  <{TARGET_MS} ms median, "
            f"none failing: {verdict}"
        )
        for failure in probes.failures[:5]:
            print(f"    {failure}")


if __name__ == "__main__":
    sys.exit(main())
