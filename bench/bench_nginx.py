"""nginx's cache (issue 7): a cached feed against the same bytes served as a static file.

Runs ``deploy/nginx/feeds.conf`` on loopback (via ``tests/liveserver.py``) in front of two
app instances, with one extra location, ``/static-copy/``, serving the feed's bytes from a
file. ``wrk`` then measures, side by side and alternating, the cached feed (every answer
a proxy_cache HIT: nginx's access log proves it) and the static copy. Target: the
cached feed reaches at least 0.9 of the static file's requests per second.

It prints figures; it is not a test. nginx runs one worker, wrk one thread, so on two
cores each has its own. Requests per second swing with whatever else the machine runs,
so it also prints the nginx worker's CPU time per request (``/proc/PID/stat``), which
swings much less and says what one nginx core can serve of each.

    .venv/bin/python bench/bench_nginx.py [--seconds 3] [--rounds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from httpbench import find_wrk, wrk

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import liveserver  # a module of tests/, shared with tests/test_nginx.py

TARGET = 0.9
#: The feeds compared: a large one and a small one (per request costs dominate).
FEEDS = ("/feeds/all.atom", "/feeds/country/belize.json")


def static_location(directory: Path) -> str:
    return (f"    location /static-copy/ {{\n        alias {directory}/;\n        etag on;\n"
            "        add_header X-Cache-Status STATIC always;\n    }\n")  # fmt: skip


def warm(port: int, path: str, copy: Path) -> tuple[bytes, str]:
    """Until ``path`` is a HIT; writes its bytes to ``copy``; returns them and the copy's URL."""
    for _ in range(50):
        status, headers, body = liveserver.get(port, path)
        if status == 200 and headers["X-Cache-Status"] == "HIT":
            break
    else:
        sys.exit(f"bench: {path} never became a cache HIT")
    copy.write_bytes(body)
    static_path = f"/static-copy/{copy.name}"
    status, headers, static_body = liveserver.get(port, static_path)
    if (status, static_body) != (200, body):
        sys.exit(f"bench: {static_path} does not serve the same bytes ({status})")
    return body, static_path


@dataclass
class Figures:
    rps: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)  # nginx worker CPU per request


def measure(url: str, worker: int, args: argparse.Namespace, figures: Figures) -> None:
    run = wrk(url, seconds=args.seconds, connections=args.connections, server_pids=[worker])
    figures.rps.append(run.requests_per_second)
    figures.cpu_us.append(run.cpu_us_per_request)


def compare(url: str, static_url: str, worker: int, args: argparse.Namespace,
            ) -> tuple[Figures, Figures]:  # fmt: skip
    """The cached feed and its static copy, alternating, each first every other round."""
    cached, static = Figures(), Figures()
    for round_ in range(args.rounds):
        pair = [(url, cached), (static_url, static)]
        for target, figures in pair[:: 1 if round_ % 2 == 0 else -1]:
            measure(target, worker, args, figures)
    return cached, static


def nginx_worker(master: int) -> int:
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        if b"worker process" in Path(f"/proc/{child}/cmdline").read_bytes():
            return int(child)
    sys.exit("bench: no nginx worker process found")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if liveserver.nginx_missing_reason():
        sys.exit(f"bench: {liveserver.nginx_missing_reason()}; `sudo apt-get install nginx`")
    find_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as name:
        directory = Path(name)
        return run(directory, args)


def run(directory: Path, args: argparse.Namespace) -> int:
    archive, copies = directory / "archive", directory / "static-copy"
    shutil.copytree(liveserver.ROOT / "archive", archive)
    copies.mkdir()
    environ = liveserver.app_environ(archive, CACHE_MAX_AGE="3600", TRUSTED_PROXIES="1")
    app_ports = (liveserver.free_port(), liveserver.free_port())
    port = liveserver.free_port()
    conf = liveserver.render_nginx(directory, port, app_ports, static_location(copies))
    logs = [directory / f"app{n}.log" for n in range(len(app_ports))]
    processes = []
    try:
        for app_port, log in zip(app_ports, logs, strict=True):
            processes.append(liveserver.start_app(app_port, environ, log))
            liveserver.wait_until_serving(app_port, processes[-1], log)
        processes.append(liveserver.start_nginx(conf, directory / "nginx.out"))
        liveserver.wait_until_serving(port, processes[-1], directory / "error.log")
        print(f"nginx: 1 worker, deploy/nginx/feeds.conf; wrk: 1 thread, {args.connections} "
              f"connections; {args.rounds} alternating rounds of {args.seconds:g} s; "
              "medians")  # fmt: skip
        worker = nginx_worker(processes[-1].pid)
        worst = min(report(port, path, copies, worker, args) for path in FEEDS)
    finally:
        for process in reversed(processes):
            liveserver.stop(process)
    verdict = "meets" if worst >= TARGET else "is BELOW"
    print(f"lowest ratio (cached / static) {worst:.3f}: {verdict} the target of {TARGET}")
    return 0


def report(port: int, path: str, copies: Path, worker: int,
           args: argparse.Namespace) -> float:  # fmt: skip
    """Prints one feed's figures; returns the lower of its two ratios."""
    body, static_path = warm(port, path, copies / path.rsplit("/", 1)[1])
    access_log = copies.parent / "access.log"
    start = access_log.stat().st_size
    base = f"http://{liveserver.HOST}:{port}"
    cached, static = compare(base + path, base + static_path, worker, args)
    with access_log.open("rb") as log:
        log.seek(start)
        lines = [line for line in log if f'"GET {path} '.encode() in line]
    if not lines or any(b" cache=HIT " not in line for line in lines):
        sys.exit(f"bench: not every request for {path} was a cache HIT (see {access_log})")
    by_rps = statistics.median(c / s for c, s in zip(cached.rps, static.rps, strict=True))
    by_cpu = statistics.median(static.cpu_us) / statistics.median(cached.cpu_us)
    print(f"{path} ({len(body):,} bytes):\n"
          f"  wrk        cached {statistics.median(cached.rps):9,.0f} req/s   static file "
          f"{statistics.median(static.rps):9,.0f} req/s   ratio {by_rps:.2f}\n"
          f"  nginx CPU  cached {statistics.median(cached.cpu_us):9.1f} µs/req   static file "
          f"{statistics.median(static.cpu_us):9.1f} µs/req   ratio {by_cpu:.2f}")  # fmt: skip
    return min(by_rps, by_cpu)


if __name__ == "__main__":
    sys.exit(main())
