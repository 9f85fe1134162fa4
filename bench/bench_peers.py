"""Ours against its peers (issue 19): one command, one table of ratios.

Starts every peer of ``peer_apps.py`` under gunicorn with the options of ``feeds serve``
(the same workers), and nginx serving our document's bytes as a file, each on its own
loopback port and each answering ``/feeds/all.atom`` from the same entries. Then ``wrk``
runs against each in turn, for several rounds, the order rotated every round (the machine
is shared: throughput drifts between minutes, so alternating keeps the comparison fair).
Ours and the bare app are also asked with ``If-None-Match``: a 304 each.

Targets (issue 19, target 3): a repeated feed request reaches 0.9 of the bare WSGI app's
requests per second, a 304 reaches 0.95 of the bare app's 304. It prints figures; it is
not a test.

    .venv/bin/python bench/bench_peers.py [--entries 20] [--rounds 5] [--seconds 3]
                                          [--connections 32] [--threads 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from httpbench import ROOT, Run, free_port, get, stop, worker_pids, wrk
from peer_apps import PATH, PEERS
from synth import cached_archive

BENCH_DIR = Path(__file__).resolve().parent
REAL_ARCHIVE = ROOT / "archive"
NGINX = Path("/usr/sbin/nginx")
TARGET_REPEATED = 0.9
TARGET_NOT_MODIFIED = 0.95
#: Every peer's links name this public URL, whatever port it listens on: the same bytes.
PUBLIC_URL = "https://news.example.org"


@dataclass
class Target:
    """One thing to measure: a URL of a server, with headers."""

    name: str
    url: str
    pids: list[int]
    headers: tuple[str, ...] = ()
    runs: list[Run] = field(default_factory=list)


def start_peer(peer: str, archive: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(BENCH_DIR / "peer_apps.py"), peer, "--port", str(port),
               "--workers", str(workers), "--archive", str(archive),
               "--base-url", PUBLIC_URL]  # fmt: skip
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environ, cwd=ROOT, start_new_session=True)  # fmt: skip
    wait_for(base_url + PATH, process, workers)
    return process, base_url


def wait_for(url: str, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            sys.exit(f"bench: {url} exited with {process.returncode}:\n{errors[-3000:]}")
        with contextlib.suppress(OSError):
            status = get(url)[0]
            if status >= 500:
                stop(process)
                sys.exit(f"bench: {url} answered {status}")
            if status == 200 and len(worker_pids(process.pid)) >= workers:
                return
        time.sleep(0.1)
    sys.exit(f"bench: {url} did not answer")


NGINX_CONF = """daemon off;
worker_processes {workers};
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {directory}/tmp; proxy_temp_path {directory}/tmp;
    fastcgi_temp_path {directory}/tmp; uwsgi_temp_path {directory}/tmp;
    scgi_temp_path {directory}/tmp;
    types {{ application/atom+xml atom; }}
    server {{
        listen 127.0.0.1:{port};
        root {directory}/site;
    }}
}}
"""


@contextlib.contextmanager
def nginx_serving(body: bytes, workers: int) -> Iterator[tuple[str, int]]:
    """nginx serving ``body`` as the file ``/feeds/all.atom``; yields its URL and master."""
    with tempfile.TemporaryDirectory(prefix="feeds-bench-nginx-") as temporary:
        directory = Path(temporary)
        (directory / "site" / "feeds").mkdir(parents=True)
        (directory / "tmp").mkdir()
        (directory / "site" / "feeds" / "all.atom").write_bytes(body)
        port = free_port()
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=workers, directory=directory, port=port))
        user = [] if os.geteuid() else ["-g", "user root;"]
        process = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(directory), *user],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}{PATH}"
            wait_for(url, process, workers)
            yield url, process.pid
        finally:
            stop(process)


def measure(targets: list[Target], rounds: int, args: argparse.Namespace) -> None:
    for target in targets:  # warm up
        wrk(target.url, seconds=1, connections=args.connections, threads=args.threads,
            headers=target.headers)  # fmt: skip
    for number in range(rounds):
        turn = number % len(targets)
        for target in targets[turn:] + targets[:turn]:
            target.runs.append(wrk(target.url, seconds=args.seconds,
                                   connections=args.connections, threads=args.threads,
                                   headers=target.headers, server_pids=target.pids))  # fmt: skip


def ratio(runs: list[Run], reference: list[Run]) -> tuple[float, float]:
    """Medians of the per-round ratios: req/s over the reference's, and the reference's
    CPU time per request over this one's."""
    pairs = list(zip(runs, reference, strict=True))
    return (
        statistics.median(r.requests_per_second / b.requests_per_second for r, b in pairs),
        statistics.median(b.cpu_us_per_request / r.cpu_us_per_request for r, b in pairs),
    )


def report(targets: dict[str, Target], args: argparse.Namespace, entries: str) -> str:
    ours, bare = targets["ours"], targets["bare"]
    lines = [
        f"{entries}; /feeds/all.atom; gunicorn (the options of `feeds serve`), {args.workers} "
        f"workers; nginx {args.workers} workers; wrk -t{args.threads} -c{args.connections}, "
        f"{args.rounds} rounds of {args.seconds:g} s, peers alternating",
        f"  {'peer':<22} {'req/s':>8} {'CPU/req':>9} {'× ours':>7} {'× bare':>7} "
        f"{'CPU: bare/peer':>14}",
    ]
    for name, target in targets.items():
        rps = statistics.median(r.requests_per_second for r in target.runs)
        cpu = statistics.median(r.cpu_us_per_request for r in target.runs)
        reference = targets["bare 304"] if name.endswith("304") else bare
        of_ours = ratio(target.runs, (targets["ours 304"] if name.endswith("304") else ours).runs)
        of_bare = ratio(target.runs, reference.runs)
        lines.append(f"  {name:<22} {rps:>8.0f} {cpu:>6.0f} µs {of_ours[0]:>7.2f} "
                     f"{of_bare[0]:>7.2f} {of_bare[1]:>14.2f}")  # fmt: skip
    references = [name for name in ("bare", "bare-headers") if name in targets]
    for reference in references:
        repeated = ratio(ours.runs, targets[reference].runs)
        not_modified = ratio(targets["ours 304"].runs, targets[f"{reference} 304"].runs)
        for label, (rps, cpu), goal in (("repeated feed request", repeated, TARGET_REPEATED),
                                        ("304", not_modified, TARGET_NOT_MODIFIED)):  # fmt: skip
            verdict = "PASS" if rps >= goal else "FAIL"
            lines.append(f"target 3, {label}: ours / {reference} = {rps:.2f} (server CPU "
                         f"{cpu:.2f}), target >= {goal:g}  {verdict}")  # fmt: skip
    lines.append("ratios are medians of per-round ratios; CPU/req is the server's (master and "
                 "workers) user+system time per answered request")  # fmt: skip
    lines.append("rounds (req/s):")
    for name, target in targets.items():
        lines.append(f"  {name:<22} " + " ".join(f"{r.requests_per_second:.0f}"
                                                 for r in target.runs))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--entries", type=int, default=20, help="archive size; 20 (default): the real archive"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset")
    args = parser.parse_args(argv)
    archive = REAL_ARCHIVE if args.entries <= 20 else cached_archive(args.entries)
    chosen = [peer for peer in args.peers.split(",") if peer]
    if "ours" not in chosen or "bare" not in chosen:
        sys.exit("bench: the peers must include ours and bare (the ratios' references)")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        targets: dict[str, Target] = {}
        for peer in chosen:
            process, base_url = start_peer(peer, archive, args.workers)
            processes.append(process)
            pids = [process.pid, *worker_pids(process.pid)]
            targets[peer] = Target(peer, base_url + PATH, pids)
        body = check_same_bytes(targets)
        etag = get(targets["ours"].url)[1]["ETag"]
        for name in [n for n in ("ours", "bare", "bare-headers") if n in targets]:
            plain = targets[name]
            targets[f"{name} 304"] = Target(f"{name} 304", plain.url, plain.pids,
                                            (f"If-None-Match: {etag}",))  # fmt: skip
            if get(plain.url, {"If-None-Match": etag})[0] != 304:
                sys.exit(f"bench: {name} did not answer 304 to its ETag")
        with contextlib.ExitStack() as stack:
            if NGINX.exists() and shutil.which("wrk"):
                url, master = stack.enter_context(nginx_serving(body, args.workers))
                targets["nginx (the file)"] = Target("nginx", url, [master, *worker_pids(master)])
            measure(list(targets.values()), args.rounds, args)
    finally:
        for process in processes:
            stop(process)
    entries = (
        "real archive (20 entries)" if archive == REAL_ARCHIVE else f"{args.entries:,} entries"
    )
    print(report(targets, args, entries))
    return 0


def check_same_bytes(targets: dict[str, Target]) -> bytes:
    """Ours and the bare app answer the same bytes; the others the same entries."""
    body = get(targets["ours"].url)[2]
    if get(targets["bare"].url)[2] != body:
        sys.exit("bench: the bare app does not answer our bytes")
    for name, target in targets.items():
        status, _headers, answer = get(target.url)
        if status != 200 or b"<entry" not in answer:
            sys.exit(f"bench: {name} answered {status}, or no Atom entries")
    return body


if __name__ == "__main__":
    sys.exit(main())
