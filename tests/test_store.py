"""``webapp/store.py``: workers never answer from an archive older than one already served."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import liveserver
import pytest
from conftest import REAL_ARCHIVE, copy_archive

from webapp.store import NewestSeen

NEW_ENTRY = "1 May, 2021\n\nIOM opens a new office in Tegucigalpa, Honduras\n\nNews.\n"
FIRST_FILE = "2021-02-to-03-press-releases.txt"  # 10 of the 20 entries


def test_the_newest_version_is_shared_with_forked_processes() -> None:
    newest = NewestSeen()
    assert newest.installed("v1") == 1
    assert newest.installed("v1") == 1  # the same version is no newer

    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        os._exit(0 if newest.installed("v2") == 2 else 1)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert newest.generation() == 2
    assert newest.installed("v2") == 2


def test_a_worker_reads_the_archive_before_its_first_answer(make_app, archive_dir) -> None:
    app = make_app(RELOAD_SECONDS=3600)  # the watcher alone would wait an hour
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")

    assert app.test_client().get("/healthz").get_json()["entries"] == 21


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[int, int, Path]]:
    """``feeds serve`` with 2 workers and a 60 s interval: (port, master pid, archive)."""
    archive = copy_archive(REAL_ARCHIVE, tmp_path / "archive")
    port = liveserver.free_port()
    log = tmp_path / "serve.log"
    command = [str(liveserver.BIN / "feeds"), "serve", "--host", liveserver.HOST,
               "--port", str(port), "--workers", "2", "--archive", str(archive)]  # fmt: skip
    process = liveserver.start(
        command, log, liveserver.app_environ(archive, RELOAD_SECONDS="60", SETTLE_SECONDS="0")
    )
    try:
        liveserver.wait_until_serving(port, process, log)
        for _ in range(20):  # both workers have answered from the boot catalog
            entries(port)
        yield port, process.pid, archive
    finally:
        liveserver.stop(process)


def entries(port: int) -> int:
    _, _, body = liveserver.get(port, "/healthz")
    count: int = json.loads(body)["entries"]
    return count


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(map(int, children))


def respawn(master: int, victims: list[int]) -> None:
    """SIGKILL ``victims`` and wait until gunicorn has replaced every one."""
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = workers_of(master)
        if len(now) == 2 and not set(now) & set(victims):
            return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not replace {victims}: {workers_of(master)}")


def change(archive: Path) -> None:
    """A file deleted and another added: 20 entries become 11."""
    (archive / FIRST_FILE).unlink()
    liveserver.write_atomically(archive / "2021-05.txt", NEW_ENTRY)


def test_respawned_workers_answer_from_the_archive_as_it_is(two_workers) -> None:
    port, master, archive = two_workers
    change(archive)
    respawn(master, workers_of(master))  # both: they start from the boot catalog

    assert {entries(port) for _ in range(20)} == {11}


def test_no_answer_is_older_than_one_already_served(two_workers) -> None:
    port, master, archive = two_workers
    change(archive)
    respawn(master, workers_of(master)[:1])  # one new worker, one that answered before

    seen = [entries(port) for _ in range(40)]

    assert 11 in seen  # the new worker answered (it read the archive first)
    first_new = seen.index(11)
    assert set(seen[first_new:]) == {11}, seen  # and from then on, the old one too
