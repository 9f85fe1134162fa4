"""Shared fixtures. Archive fixtures first; the web-app fixtures follow below them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from feeds.archive.entry import Entry, Source
from feeds.archive.ids import DEFAULT_TAG_AUTHORITY, entry_guid, entry_slug

# --- Archive fixtures: entries, archive directories, the real archive -------------------

MakeEntry = Callable[..., Entry]
WriteArchive = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_entry() -> MakeEntry:
    """``make_entry(**overrides)``: an :class:`Entry`; id and guid follow its date and title."""

    def make(**overrides: Any) -> Entry:
        date = overrides.pop("date", dt.date(2021, 3, 6))
        title = overrides.pop("title", "IOM trained Mexicali municipal police")
        slug = entry_slug(date, title)
        fields: dict[str, Any] = {
            "id": slug,
            "guid": entry_guid(DEFAULT_TAG_AUTHORITY, date, slug),
            "date": date,
            "title": title,
            "summary": ("The event strengthened the capacities of police personnel.",),
            "source": Source("2021.txt", 1),
        }
        return Entry(**(fields | overrides))

    return make


@pytest.fixture
def write_archive(tmp_path: Path) -> WriteArchive:
    """``write_archive({"a.txt": text_or_bytes, "sub/b.txt": …})`` → the archive directory.

    Text is written as UTF-8 with its line endings untouched; bytes are written as given.
    Calling it again adds or replaces files in the same directory.
    """
    root = tmp_path / "archive"

    def write(files: Mapping[str, str | bytes]) -> Path:
        root.mkdir(exist_ok=True)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return root

    return write


@pytest.fixture
def real_archive_dir() -> Path:
    """The newsroom's two sample files (20 entries)."""
    return Path(__file__).resolve().parent.parent / "archive"


# --- Web-app fixtures -------------------------------------------------------------------
# --- web app fixtures ---
# Imports sit here, not at the top, because the part above belongs to the archive tests.
import contextlib  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from webapp import create_app  # noqa: E402

MakeApp = Callable[..., Flask]


@pytest.fixture(autouse=True, scope="session")
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Archive snapshots (FEEDS_SNAPSHOT_DIR's default, issue 19) go to the session's
    temporary directory, never the user's cache; servers started by tests inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        yield


REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"
#: How long the real server may take to answer /healthz after it starts.
SERVER_START_SECONDS = 30


def copy_archive(source: Path, target: Path) -> Path:
    """A writable copy of the ``*.txt`` files of ``source`` (the checked-in ones are read-only)."""
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.txt")):
        (target / path.name).write_bytes(path.read_bytes())
    return target


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """A writable copy of the real archive that the ``app`` serves; tests may change it."""
    return copy_archive(REAL_ARCHIVE, tmp_path / "served-archive")


@pytest.fixture
def make_app(archive_dir: Path, monkeypatch: pytest.MonkeyPatch) -> MakeApp:
    """``make_app(BASE_URL=…, TIMEZONE=…)``: an app over ``archive_dir``.

    Setting names may leave out the ``FEEDS_`` prefix. The environment's own ``FEEDS_*``
    variables are removed, and reloading is off: tests call ``store.reload()`` themselves.
    """
    for name in [name for name in os.environ if name.startswith("FEEDS_")]:
        monkeypatch.delenv(name)

    def make(**settings: Any) -> Flask:
        # Files a test writes are read at once (no settling time, issue 14).
        config: dict[str, Any] = {
            "FEEDS_ARCHIVE": str(archive_dir),
            "FEEDS_RELOAD_SECONDS": 0,
            "FEEDS_SETTLE_SECONDS": 0,
        }
        for name, value in settings.items():
            config[name if name.startswith("FEEDS_") else f"FEEDS_{name}"] = value
        app = create_app(config)
        app.config["TESTING"] = True  # an exception fails the test instead of becoming a 500
        return app

    return make


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _feeds_command() -> list[str]:
    script = Path(sys.executable).parent / "feeds"
    return [str(script)] if script.exists() else [sys.executable, "-m", "feeds.cli"]


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"feeds serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with opener.open(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out: not up yet
            time.sleep(0.1)
    pytest.fail(f"feeds serve did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}")


@contextlib.contextmanager
def serving(archive: Path, **settings: str) -> Iterator[str]:
    """Run ``feeds serve`` (gunicorn, 2 workers) over ``archive`` on a free loopback port,
    with ``FEEDS_<name>`` settings; yields its base URL and stops it afterwards."""
    port = _free_loopback_port()
    command = [*_feeds_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--archive", str(archive), "--workers", "2"]  # fmt: skip
    env = {name: value for name, value in os.environ.items() if not name.startswith("FEEDS_")}
    env.update({f"FEEDS_{name}": value for name, value in settings.items()})
    log = archive.parent / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of ``feeds serve`` over a copy of the real archive; it never changes."""
    archive = copy_archive(REAL_ARCHIVE, tmp_path_factory.mktemp("live-server") / "archive")
    with serving(archive) as base_url:
        yield base_url


@pytest.fixture
def serve_archive() -> Iterator[Callable[..., str]]:
    """``serve_archive(directory, RELOAD_SECONDS="1")``: the base URL of another
    ``feeds serve``, for tests that need their own settings; stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda archive, **settings: stack.enter_context(serving(archive, **settings))


# --- PostgreSQL and SQLite subscriber databases (issue 16; see pgcluster.py) ---
from pgcluster import database_url, postgres_cluster  # noqa: E402, F401
