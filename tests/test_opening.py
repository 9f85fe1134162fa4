"""Odd files in the archive (``feeds/archive/opening.py``, issue 14): each is a
``path: error: …`` diagnostic, skipped, and every other entry is still published.

Real symlinks, FIFOs and unreadable files. An unreadable file needs a user who cannot
read it: as root (these tests usually are) ``feeds check`` runs as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REAL_ARCHIVE, copy_archive

from feeds.archive.files import ArchiveLimits, ArchiveLoader
from feeds.catalog import load_catalog

FEEDS = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "feeds"
ENTRY = "12 March, 2021\n\nIOM opens a new office\n\nNews.\n"
REAL_ENTRIES = 20


def messages(directory: Path) -> list[str]:
    return [str(d) for d in load_catalog(directory).archive.diagnostics if d.is_error]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return copy_archive(REAL_ARCHIVE, tmp_path / "archive")


def test_a_symlink_leaving_the_archive_is_reported_and_not_read(
    archive: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("1 May, 2021\n\nSECRET\n\nroot:x:0:0\n", encoding="utf-8")
    (archive / "leak.txt").symlink_to(secret)

    catalog = load_catalog(archive)

    assert messages(archive) == [
        f"leak.txt: error: symbolic link to {secret}, outside the archive: not read"
    ]
    assert len(catalog.entries) == REAL_ENTRIES
    assert all("SECRET" not in entry.title for entry in catalog.entries)


def test_a_symlink_inside_the_archive_is_read(archive: Path) -> None:
    (archive / "drafts").mkdir()
    (archive / "drafts" / "new.txt").write_text(ENTRY, encoding="utf-8")
    (archive / "linked.txt").symlink_to(archive / "drafts" / "new.txt")

    catalog = load_catalog(archive)

    assert messages(archive) == []
    assert len(catalog.entries) == REAL_ENTRIES + 1  # the link's; the target's is a duplicate


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.symlink_to(path), "symbolic link loop: not read"),
        (lambda path: path.symlink_to(path.with_name("gone")), "which does not exist"),
        (lambda path: os.mkfifo(path), "not a regular file (a FIFO): not read"),
    ],
    ids=["loop", "dangling", "fifo"],
)
def test_odd_files_are_reported_and_skipped(archive: Path, make, message: str) -> None:
    make(archive / "odd.txt")

    catalog = load_catalog(archive)  # a FIFO opened for reading would block here forever

    [found] = messages(archive)
    assert found.startswith("odd.txt: error: ") and found.endswith(message)
    assert len(catalog.entries) == REAL_ENTRIES


def test_a_file_over_the_size_limit_is_skipped_unread(archive: Path) -> None:
    limit = max(path.stat().st_size for path in archive.glob("*.txt")) + 100
    (archive / "huge.txt").write_text(ENTRY + "x" * limit, encoding="utf-8")
    loader = ArchiveLoader(archive, limits=ArchiveLimits(max_file_bytes=limit))

    files = loader.read()

    [huge] = [part for part in files.parts if part.name == "huge.txt"]
    assert huge.entries == ()
    assert [str(d) for d in huge.diagnostics] == [
        f"huge.txt: error: {len(ENTRY) + limit:,} bytes, more than FEEDS_MAX_FILE_BYTES "
        f"({limit:,}): not read"
    ]
    assert sum(len(part.entries) for part in files.parts) == REAL_ENTRIES


def test_a_file_shrinking_under_the_limit_is_read_again(archive: Path) -> None:
    path = archive / "huge.txt"
    path.write_text(ENTRY + "x" * 10_000, encoding="utf-8")  # the real files are ~5 KB
    loader = ArchiveLoader(archive, limits=ArchiveLimits(max_file_bytes=8000))
    loader.read()
    path.write_text(ENTRY, encoding="utf-8")

    [part] = [part for part in loader.read().parts if part.name == "huge.txt"]

    assert [entry.title for entry in part.entries] == ["IOM opens a new office"]
    assert part.diagnostics == ()


def test_a_file_changed_moments_ago_waits_until_it_settles(archive: Path) -> None:
    path = archive / "2021-03-to-04-press-releases.txt"
    loader = ArchiveLoader(archive, limits=ArchiveLimits(settle_seconds=60))
    before = loader.read()
    whole = path.read_text(encoding="utf-8")
    path.write_text(whole[: len(whole) // 3], encoding="utf-8")  # half-way through a save

    during = loader.read()
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime - 120))  # two minutes later, say
    after = loader.read()

    assert during.version == before.version  # the last complete version stays
    assert after.version != before.version
    assert sum(map(len, (p.entries for p in after.parts))) < REAL_ENTRIES


def test_a_new_file_waits_too(archive: Path) -> None:
    loader = ArchiveLoader(archive, limits=ArchiveLimits(settle_seconds=60))
    loader.read()
    (archive / "new.txt").write_text(ENTRY, encoding="utf-8")

    assert "new.txt" not in loader.read().names


@pytest.fixture
def world_readable_archive() -> Iterator[Path]:
    """An archive that ``nobody`` can read (pytest's own temporary folders are root's)."""
    directory = Path(tempfile.mkdtemp(prefix="feeds-faults-"))
    try:
        directory.chmod(0o755)
        archive = copy_archive(REAL_ARCHIVE, directory / "archive")
        for path in [archive, *archive.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield archive
    finally:
        shutil.rmtree(directory)


def check_command(archive: Path) -> tuple[list[str], dict[str, object]]:
    """``feeds check`` as a user who cannot read a mode-000 file: as ``nobody`` if root."""
    if os.geteuid() != 0:
        return [str(FEEDS), "check", str(archive)], {}
    if not os.access(FEEDS, os.X_OK) or os.stat(FEEDS).st_mode & 0o005 != 0o005:
        pytest.skip("running as root, and nobody cannot run .venv/bin/feeds")
    return [str(FEEDS), "check", str(archive)], {"user": 65534, "group": 65534}


def test_feeds_check_reports_every_odd_file_and_never_hangs(
    world_readable_archive: Path, tmp_path: Path
) -> None:
    archive = world_readable_archive
    (archive / "locked.txt").write_text(ENTRY, encoding="utf-8")
    (archive / "locked.txt").chmod(0o000)
    os.mkfifo(archive / "pipe.txt")
    (archive / "loop.txt").symlink_to(archive / "loop.txt")
    outside = archive.parent / "outside.txt"
    outside.write_text(ENTRY, encoding="utf-8")
    (archive / "out.txt").symlink_to(outside)
    command, as_user = check_command(archive)

    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=tmp_path, **as_user
    )

    errors = [line for line in done.stdout.splitlines() + done.stderr.splitlines()]
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "locked.txt: error: cannot read: Permission denied" in errors
    assert "pipe.txt: error: not a regular file (a FIFO): not read" in errors
    assert "loop.txt: error: symbolic link loop: not read" in errors
    assert f"out.txt: error: symbolic link to {outside}, outside the archive: not read" in errors


def test_the_service_starts_and_serves_the_rest(make_app, archive_dir: Path) -> None:
    os.mkfifo(archive_dir / "pipe.txt")
    (archive_dir / "loop.txt").symlink_to(archive_dir / "loop.txt")
    client = make_app().test_client()

    assert client.get("/healthz").get_json()["entries"] == REAL_ENTRIES
    (archive_dir / "new.txt").write_text(ENTRY, encoding="utf-8")
    assert client.application.extensions["feeds"].store.reload()
    assert client.get("/healthz").get_json()["entries"] == REAL_ENTRIES + 1
