"""Helpers for the HTTP benchmarks: a server under gunicorn on a free port, and ``wrk``.

Shared by ``bench_http.py`` and ``bench_scale.py``; not a benchmark itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
_REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+([\d.]+)")
_REQUESTS = re.compile(r"(\d+) requests in")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def find_wrk() -> str:
    """The ``wrk`` executable; installs Debian's package when root, else explains and exits."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's package (apt-get install wrk)", flush=True)
        environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=environ, check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
                       env=environ, check=False, stdout=subprocess.DEVNULL)  # fmt: skip
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("bench: needs the load generator wrk: `sudo apt-get install wrk` (Debian/Ubuntu) "
             "or `./scripts/test-deps.sh` as root")  # fmt: skip


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one GET (a 304 is an answer, not an error)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _NO_PROXY.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def reference_server(archive: Path, workers: int, timeout: float = 120,
                     settings: dict[str, str] | None = None) -> Iterator[Server]:  # fmt: skip
    """``bench/reference_app.py`` under gunicorn (production options), stopped on exit;
    ``settings``: ``FEEDS_*`` variables for it (the environment's own are dropped)."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    archive = archive.resolve()
    command = [
        sys.executable,
        str(BENCH_DIR / "reference_app.py"),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--archive",
        str(archive),
        "--base-url",
        base_url,
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    environ["FEEDS_SNAPSHOT_DIR"] = "off"  # a cold load unless the caller says otherwise
    environ.update(settings or {})
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environ, cwd=ROOT, start_new_session=True)  # fmt: skip
    try:
        wait_until_healthy(base_url, process, timeout)
        while len(worker_pids(process.pid)) < workers:  # gunicorn forks them one by one
            time.sleep(0.05)
        yield Server(process, base_url)
    finally:
        stop(process)


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> float:
    """Seconds until ``/healthz`` answered 200; exits with the server's errors if it died."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            sys.exit(f"bench: the server exited with {process.returncode}:\n{errors}")
        with contextlib.suppress(OSError):
            if get(f"{base_url}/healthz")[0] == 200:
                return time.monotonic() - started
        time.sleep(0.05)
    stop(process)
    sys.exit(f"bench: the server did not answer within {timeout:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group (master and workers), then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()]


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private pages) of ``pid`` in MB, from ``/proc/PID/smaps_rollup``."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])  # kB
    private = fields["Private_Clean"] + fields["Private_Dirty"]
    return {"rss": fields["Rss"] / 1024, "pss": fields["Pss"] / 1024, "uss": private / 1024}


@dataclass(frozen=True)
class Run:
    """One ``wrk`` run: throughput, and the server's CPU time per request (noise-robust)."""

    requests_per_second: float
    cpu_us_per_request: float


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of ``pids`` so far, from ``/proc/PID/stat``."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, *, seconds: float, connections: int, threads: int = 1,
        headers: Sequence[str] = (), server_pids: Sequence[int] = ()) -> Run:  # fmt: skip
    """Run ``wrk`` against ``url``; exits if any answer was an error."""
    command = [find_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s"]
    for header in headers:
        command += ["-H", header]
    cpu_before = cpu_seconds(server_pids)
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server_pids) - cpu_before
    errors = _NON_2XX.search(output)
    if errors:
        sys.exit(f"bench: {errors.group(1)} error answers from {url}:\n{output}")
    rate, count = _REQUESTS_PER_SECOND.search(output), _REQUESTS.search(output)
    if not rate or not count:
        sys.exit(f"bench: no figures from wrk:\n{output}")
    return Run(float(rate.group(1)), max(cpu, 1e-6) / max(1, int(count.group(1))) * 1e6)
