"""nginx's cache (issue 7): a cached feed against the same bytes served as a static file.

Runs ``deploy/nginx/feeds.conf`` on loopback (via ``tests/liveserver.py``) in front of two
app instances, with one extra location, ``/static-copy/``, serving the feed's bytes from a
file. ``wrk`` then measures, side by side and alternating, the cached feed (every answer
a proxy_cache HIT: nginx's access log proves it) and the static copy. Target: the
cached feed reaches at least 0.9 of the static file's requests per second.

A third location, ``/bare-cache/``, is the cheapest cache hit nginx can make: the same
bytes from a stub upstream that sends three headers, cached with nothing but
``proxy_cache`` and a short key. Its ratio is what ``proxy_cache`` itself costs on the
machine at hand, whatever the configuration.

It prints figures; it is not a test. nginx runs one worker, wrk one thread, so on two
cores each has its own. Requests per second swing with whatever else the machine runs,
so it also prints the nginx worker's CPU time per request (``/proc/PID/stat``), which
swings much less and says what one nginx core can serve of each.

    .venv/bin/python bench/bench_nginx.py [--seconds 3] [--rounds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def bare_cache_location(stub_port: int) -> str:
    return (f"    location /bare-cache/ {{\n        proxy_pass http://{liveserver.HOST}:{stub_port};\n"
            "        proxy_cache feeds;\n        proxy_cache_key $uri;\n    }\n")  # fmt: skip


@contextmanager
def stub_upstream(copies: Path) -> Iterator[int]:
    """An upstream that answers ``/bare-cache/NAME`` with the bytes of ``copies/NAME`` and
    only the headers a cache needs; yields its port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = (copies / self.path.rsplit("/", 1)[1]).read_bytes()
            self.send_response_only(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=3600")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((liveserver.HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


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


def compare(urls: list[str], worker: int, args: argparse.Namespace) -> list[Figures]:
    """Each URL's figures, the URLs taking turns, in an order rotated every round."""
    results = [Figures() for _url in urls]
    pairs = list(zip(urls, results, strict=True))
    for round_ in range(args.rounds):
        turn = round_ % len(pairs)
        for target, figures in pairs[turn:] + pairs[:turn]:
            measure(target, worker, args, figures)
    return results


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
        copies = directory / "static-copy"
        copies.mkdir()
        with stub_upstream(copies) as stub_port:
            return run(directory, copies, stub_port, args)


def run(directory: Path, copies: Path, stub_port: int, args: argparse.Namespace) -> int:
    archive = directory / "archive"
    shutil.copytree(liveserver.ROOT / "archive", archive)
    environ = liveserver.app_environ(archive, CACHE_MAX_AGE="3600", TRUSTED_PROXIES="1")
    app_ports = (liveserver.free_port(), liveserver.free_port())
    port = liveserver.free_port()
    locations = static_location(copies) + bare_cache_location(stub_port)
    conf = liveserver.render_nginx(directory, port, app_ports, locations)
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
        ratios = [report(port, path, copies, worker, args) for path in FEEDS]
    finally:
        for process in reversed(processes):
            liveserver.stop(process)
    worst, bare = min(r[0] for r in ratios), min(r[1] for r in ratios)
    verdict = "meets" if worst >= TARGET else "is BELOW"
    print(f"lowest ratio (cached / static) {worst:.3f}: {verdict} the target of {TARGET}")
    print(f"lowest ratio of a bare proxy_cache hit (bare cache / static) {bare:.3f}: what "
          "proxy_cache itself costs here, whatever the configuration")  # fmt: skip
    return 0


def report(port: int, path: str, copies: Path, worker: int,
           args: argparse.Namespace) -> tuple[float, float]:  # fmt: skip
    """Prints one feed's figures; returns the lower of its two ratios, and of the bare
    cache's two."""
    name = path.rsplit("/", 1)[1]
    body, static_path = warm(port, path, copies / name)
    bare_path = f"/bare-cache/{name}"
    for _request in range(2):  # a miss, then a hit
        if liveserver.get(port, bare_path)[2] != body:
            sys.exit(f"bench: {bare_path} does not serve the same bytes")
    access_log = copies.parent / "access.log"
    start = access_log.stat().st_size
    base = f"http://{liveserver.HOST}:{port}"
    cached, static, bare = compare([base + path, base + static_path, base + bare_path],
                                   worker, args)  # fmt: skip
    with access_log.open("rb") as log:
        log.seek(start)
        lines = [line for line in log if b'"GET /static-copy/' not in line]
    if not lines or any(b" cache=HIT " not in line for line in lines):
        sys.exit(f"bench: not every request for {path} was a cache HIT (see {access_log})")
    print(f"{path} ({len(body):,} bytes):")
    ratios = [_line(label, figures, static) for label, figures in (("cached", cached),
              ("bare cache", bare))]  # fmt: skip
    return min(ratios[0]), min(ratios[1])


def _line(label: str, figures: Figures, static: Figures) -> tuple[float, float]:
    """Prints ``figures`` against the static file's; returns the ratios (req/s, CPU)."""
    by_rps = statistics.median(c / s for c, s in zip(figures.rps, static.rps, strict=True))
    by_cpu = statistics.median(static.cpu_us) / statistics.median(figures.cpu_us)
    print(f"  {label:<10} {statistics.median(figures.rps):9,.0f} req/s "
          f"{statistics.median(figures.cpu_us):6.1f} µs/req nginx CPU;  static file "
          f"{statistics.median(static.rps):9,.0f} req/s {statistics.median(static.cpu_us):6.1f} "
          f"µs/req;  ratio {by_rps:.2f} by req/s, {by_cpu:.2f} by CPU")  # fmt: skip
    return by_rps, by_cpu


if __name__ == "__main__":
    sys.exit(main())
