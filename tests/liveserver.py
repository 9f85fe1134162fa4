"""Real servers on loopback for the integration tests and benchmarks: app instances under
gunicorn, and nginx running ``deploy/nginx/feeds.conf`` as the current user.

Every process is started in its own session and stopped by :func:`stop` (SIGTERM, then
SIGKILL to its process group); callers put that in a finaliser.
"""

from __future__ import annotations

import contextlib
import getpass
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The scripts of the environment running the tests (``.venv/bin`` under ``make``).
BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
NGINX = Path("/usr/sbin/nginx")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def app_environ(archive: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any ``FEEDS_*`` variable, plus ``settings``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    environ["FEEDS_ARCHIVE"] = str(archive)
    environ.update({f"FEEDS_{name}": value for name, value in settings.items()})
    return environ


def start(
    command: list[str],
    log: Path,
    environ: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(environ) if environ is not None else None,
            cwd=ROOT,
            start_new_session=True,
        )


def start_app(port: int, environ: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``feeds serve`` with one worker: what the brief calls an app instance."""
    command = [
        str(BIN / "feeds"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--archive",
        environ["FEEDS_ARCHIVE"],
    ]
    return start(command, log, environ)


def start_gunicorn(
    port: int,
    environ: Mapping[str, str],
    log: Path,
) -> subprocess.Popen[bytes]:
    """gunicorn with ``deploy/gunicorn.conf.py``, as an operator would run it."""
    command = [
        str(BIN / "gunicorn"),
        "-c",
        str(DEPLOY / "gunicorn.conf.py"),
        "-b",
        f"{HOST}:{port}",
        "webapp:create_app()",
    ]
    return start(command, log, environ)


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM (gunicorn and nginx shut down cleanly), then SIGKILL to the whole group."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    process.wait(timeout)


def wait_until_serving(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    """Until ``GET /healthz`` answers 200; fails with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            status, _, _ = get(port, "/healthz", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not serving on port {port} after {timeout} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text()[-3000:] if log.exists() else f"({log} was not written)"


def get(
    port: int, path: str, headers: Mapping[str, str] | None = None, timeout: float = 10
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a new connection: status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one step, as an editor or rsync would, so a reader of the
    archive never sees half a file; the temporary name is hidden, so the archive skips it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def render_nginx(
    directory: Path, port: int, upstreams: tuple[int, ...], extra_locations: str = ""
) -> Path:
    """``deploy/nginx/feeds.conf`` made to run unprivileged under ``directory``.

    Returns the main configuration that includes it. Fails if the deploy file no longer
    contains a value it replaces, so the test never silently runs a different config.
    """
    text = (DEPLOY / "nginx" / "feeds.conf").read_text()
    example = [line for line in text.splitlines(keepends=True) if "server 127.0.0.1:800" in line]
    if len(example) != 2:
        raise ValueError("feeds.conf should list the example instances 8001 and 8002")
    ours = "".join(example[0].replace("127.0.0.1:8001", f"{HOST}:{p}") for p in upstreams)
    text = text.replace(example[0] + example[1], ours)
    replacements = {
        "/var/cache/nginx/feeds": str(directory / "cache"),
        "listen 80;": f"listen {HOST}:{port};",
        "/var/log/nginx/feeds.access.log": str(directory / "access.log"),
        "/srv/feeds/webapp/static/": f"{ROOT / 'webapp' / 'static'}/",
    }
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise ValueError(f"feeds.conf should contain '{old}' exactly once")
        text = text.replace(old, new)
    if extra_locations:
        text = text.replace("    location / {", extra_locations + "\n    location / {", 1)
    (directory / "feeds.conf").write_text(text)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "temp" / name).mkdir(parents=True, exist_ok=True)
    main = directory / "nginx.conf"
    main.write_text(
        _MAIN_CONF.format(directory=directory, user=_user_directive(), temp=directory / "temp")
    )
    return main


def start_nginx(main_conf: Path, log: Path) -> subprocess.Popen[bytes]:
    prefix = main_conf.parent
    return start(
        [str(NGINX), "-p", f"{prefix}/", "-c", str(main_conf), "-e", str(prefix / "error.log")], log
    )


def nginx_missing_reason() -> str | None:
    if not NGINX.exists():
        return f"{NGINX} not found: install Debian's nginx (scripts/test-deps.sh does, as root)"
    return None


def _user_directive() -> str:
    # Workers of a root master switch to "nobody", who cannot enter pytest's tmp dirs.
    return f"user {getpass.getuser()};" if os.geteuid() == 0 else ""


_MAIN_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    types {{
        text/css css;
        text/html html;
        application/atom+xml atom;
        application/rss+xml rss;
        application/feed+json json;
    }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    access_log off;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {directory}/feeds.conf;
}}
"""
