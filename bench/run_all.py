"""Every benchmark, one after another (``make bench``): each prints its own table.

The synthetic archives are written once under ``bench/out/`` and reused. A benchmark
that fails is reported and the others still run; the exit status says whether all ran.

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent

#: (script, arguments, arguments with --quick)
BENCHMARKS = [
    ("bench_parse.py", [], ["--entries", "20000", "--runs", "1"]),
    ("bench_classify.py", [], ["--entries", "20000"]),
    ("bench_http.py", [], ["--rounds", "3", "--seconds", "1"]),
    (
        "bench_scale.py",
        [],
        ["--large", "20000", "--builds", "50", "--seconds", "1", "--loads", "1"],
    ),
    ("bench_nginx.py", [], ["--rounds", "2", "--seconds", "1"]),
    ("bench_peers.py", [], ["--rounds", "1", "--seconds", "1"]),
    ("bench_cache_memory.py", [], ["--urls", "500", "--bound-mb", "8"]),
    ("bench_snapshot.py", [], ["--entries", "20000", "--restarts", "1"]),
    ("bench_slow_clients.py", [], ["--connections", "100", "--seconds", "5"]),
    ("bench_subscriptions.py", [], ["--quick"]),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it runs")
    args = parser.parse_args(argv)
    failed = []
    for script, full, quick in BENCHMARKS:
        if not (BENCH_DIR / script).exists():
            continue
        command = [sys.executable, str(BENCH_DIR / script), *(quick if args.quick else full)]
        print(f"\n=== {' '.join([script, *command[2:]])}", flush=True)
        started = time.perf_counter()
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script)
        print(f"({time.perf_counter() - started:.0f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
