"""The archive's snapshot on disk: restored when good, ignored when stale, partial or corrupt."""

from __future__ import annotations

import os
import shutil
import zlib
from pathlib import Path

import pytest

from feeds.archive.files import ArchiveLimits, ArchiveLoader
from feeds.catalog import CatalogLoader, Query, snapshot
from feeds.catalog import loader as loader_module
from feeds.catalog.search import file_postings
from feeds.classify.classifier import Classifier

FILES = {
    "2021/a.txt": "12 March 2021\n\nIOM trains police in Mexicali\n\nMexico and Guatemala.\n\n"
    "2021-03-01\n\nHealth workers meet in Panama\n\nVaccines for migrants.\n",
    "2021/b.txt": "5 April 2021\n\nBorder talks in Costa Rica\n\nLabour migration.\n\n"
    "31 February 2021\n\nA bad date\n\nSkipped.\n",
    "c.txt": "2021-04-27\n\nA release with no country\n\nJust words.\n",
}
KEY = snapshot.snapshot_key(tag_authority="newsroom.example.org", taxonomy=None)


def loader(directory: Path) -> ArchiveLoader:
    return ArchiveLoader(directory, tag=Classifier().tags, index_file=file_postings, workers=1)


@pytest.fixture
def saved(write_archive, tmp_path):
    """(archive directory, snapshot path, the results it holds) after a first load."""
    directory = write_archive(FILES)
    first = loader(directory)
    first.read()
    path = tmp_path / "cache" / "archive.snapshot"
    snapshot.save(path, KEY, first._files)
    return directory, path, first._files


def parsed_names(monkeypatch) -> list[str]:
    names: list[str] = []
    parse = ArchiveLoader._parse

    def counting(self, pending):
        names.append(pending.relative)
        return parse(self, pending)

    monkeypatch.setattr(ArchiveLoader, "_parse", counting)
    return names


def test_a_snapshot_gives_back_what_was_parsed(saved):
    _directory, path, results = saved
    restored = snapshot.load(path, KEY)
    assert restored is not None
    assert list(restored) == list(results)
    for name, result in results.items():
        again = restored[name]
        assert (again.signature, again.digest) == (result.signature, result.digest)
        assert again.part.entries == result.part.entries
        assert again.part.diagnostics == result.part.diagnostics
        assert dict(again.part.index) == dict(result.part.index)
        assert again.part.index.entries is again.part.entries
    assert any(result.part.diagnostics for result in results.values())  # the bad date


def test_an_unchanged_archive_is_read_without_parsing(saved, monkeypatch):
    directory, path, results = saved
    names = parsed_names(monkeypatch)
    second = loader(directory)
    assert snapshot.restore(second, path, KEY)
    files = second.read()
    assert names == []
    assert [part.entries for part in files.parts] == [r.part.entries for r in results.values()]
    fresh = loader(directory).read()
    assert files.version == fresh.version


def test_files_changed_since_the_snapshot_are_parsed_alone(saved, monkeypatch):
    directory, path, _results = saved
    (directory / "c.txt").write_text("2021-04-28\n\nAn edited release\n\nNew words.\n")
    (directory / "d.txt").write_text("2021-04-29\n\nA new file\n\nMore.\n")
    os.utime(directory / "2021/a.txt")  # touched: same bytes, not parsed again
    names = parsed_names(monkeypatch)
    second = loader(directory)
    assert snapshot.restore(second, path, KEY)
    files = second.read()
    assert sorted(names) == ["c.txt", "d.txt"]
    fresh = loader(directory).read()
    assert [p.entries for p in files.parts] == [p.entries for p in fresh.parts]
    assert files.version == fresh.version


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
        lambda path: path.write_bytes(path.read_bytes()[:10]),
        lambda path: path.write_bytes(b""),
        lambda path: path.write_bytes(path.read_bytes() + b"more"),
        lambda path: flip(path, -1),
        lambda path: flip(path, len(path.read_bytes()) // 2),
        lambda path: flip(path, 0),
        lambda path: flip(path, len(snapshot.MAGIC) + 3),  # in the key
        lambda path: flip(path, len(snapshot.MAGIC) + 70),  # in the length
        lambda path: path.unlink(),
    ],
    ids=[
        "truncated",
        "a header only",
        "empty",
        "longer",
        "last byte",
        "a middle byte",
        "magic",
        "key",
        "length",
        "missing",
    ],
)
def test_a_partial_or_corrupt_snapshot_is_ignored_and_the_archive_parsed(
    saved, monkeypatch, damage
):
    directory, path, results = saved
    damage(path)
    assert snapshot.load(path, KEY) is None
    names = parsed_names(monkeypatch)
    second = loader(directory)
    assert not snapshot.restore(second, path, KEY)
    files = second.read()
    assert sorted(names) == sorted(results)
    assert [p.entries for p in files.parts] == [r.part.entries for r in results.values()]


def test_a_payload_that_passes_its_checksum_but_is_not_marshal_is_ignored(saved):
    _directory, path, _results = saved
    snapshot.save(path, KEY, {})
    assert snapshot.load(path, KEY) == {}
    payload = b"\x00not marshal"
    header = snapshot.MAGIC + KEY.encode() + len(payload).to_bytes(8, "big")
    path.write_bytes(header + zlib.crc32(payload).to_bytes(4, "big") + payload)
    assert snapshot.load(path, KEY) is None


@pytest.mark.parametrize(
    "other",
    [
        {"tag_authority": "other.example.org", "taxonomy": None},
        {"tag_authority": "newsroom.example.org", "taxonomy": b"[topics]\n"},
    ],
)
def test_another_tag_authority_or_taxonomy_makes_it_stale(saved, other):
    _directory, path, _results = saved
    assert snapshot.snapshot_key(**other) != KEY
    assert snapshot.load(path, snapshot.snapshot_key(**other)) is None


def test_a_changed_data_file_or_source_file_changes_the_key(tmp_path, monkeypatch):
    package = tmp_path / "feeds"
    shutil.copytree(Path(snapshot.__file__).resolve().parent.parent, package)
    monkeypatch.setattr(snapshot, "_PACKAGE", package)
    before = snapshot.code_version.__wrapped__()
    places = package / "classify" / "data" / "places.tsv"
    places.write_bytes(places.read_bytes() + b"Atlantis\tAQ\n")
    after_data = snapshot.code_version.__wrapped__()
    (package / "archive" / "parsing.py").write_text("# another parser\n")
    after_code = snapshot.code_version.__wrapped__()
    assert len({before, after_data, after_code}) == 3


def test_the_snapshot_lives_under_the_cache_directory(tmp_path):
    assert snapshot.default_directory({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "feeds"
    first = snapshot.snapshot_path(tmp_path, tmp_path / "one")
    assert first.parent == tmp_path
    assert first != snapshot.snapshot_path(tmp_path, tmp_path / "two")


def test_a_snapshot_that_cannot_be_written_is_logged_not_raised(saved, tmp_path, caplog):
    directory, _path, _results = saved
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    first = loader(directory)
    first.read()
    snapshot.remember(first, blocked / "archive.snapshot", KEY)
    assert "not written" in caplog.text


# --- Through the catalog loader ---------------------------------------------------------


def test_a_restart_starts_from_the_snapshot_the_first_load_wrote(
    write_archive, tmp_path, monkeypatch
):
    directory = write_archive(FILES)
    path = tmp_path / "cache" / "archive.snapshot"
    first = CatalogLoader(directory, snapshot=path, workers=1).load()
    assert path.exists()
    written = path.stat().st_mtime_ns
    names = parsed_names(monkeypatch)

    again = CatalogLoader(directory, snapshot=path, workers=1).load()

    assert names == []
    assert list(again.entries) == list(first.entries)
    assert again.version == first.version
    assert again.archive.diagnostics == first.archive.diagnostics
    assert again.select(again.keys, Query(words=("police",))) == first.select(
        first.keys, Query(words=("police",))
    )
    assert path.stat().st_mtime_ns == written  # nothing parsed: not written again


def test_a_restart_after_an_edit_parses_that_file_and_writes_the_snapshot_again(
    write_archive, tmp_path, monkeypatch
):
    directory = write_archive(FILES)
    path = tmp_path / "cache" / "archive.snapshot"
    CatalogLoader(directory, snapshot=path, workers=1).load()
    (directory / "c.txt").write_text("2021-04-28\n\nAn edited release\n\nNew words.\n")
    names = parsed_names(monkeypatch)

    edited = CatalogLoader(directory, snapshot=path, workers=1).load()

    assert names == ["c.txt"]
    assert edited.version == CatalogLoader(directory, workers=1).load().version
    names.clear()
    CatalogLoader(directory, snapshot=path, workers=1).load()
    assert names == []


def test_a_new_taxonomy_makes_the_snapshot_stale(write_archive, tmp_path, monkeypatch):
    directory = write_archive(FILES)
    path = tmp_path / "cache" / "archive.snapshot"
    CatalogLoader(directory, snapshot=path, workers=1).load()
    packaged = Path(snapshot.__file__).resolve().parent.parent / "classify/data/taxonomy.toml"
    (directory / "taxonomy.toml").write_bytes(packaged.read_bytes() + b"\n# edited\n")
    names = parsed_names(monkeypatch)

    CatalogLoader(directory, snapshot=path, workers=1).load()

    assert sorted(names) == sorted(FILES)


def test_a_restart_with_nothing_to_parse_makes_no_classifier(write_archive, tmp_path, monkeypatch):
    directory = write_archive(FILES)
    path = tmp_path / "cache" / "archive.snapshot"
    CatalogLoader(directory, snapshot=path, workers=1).load()
    made = []
    real = loader_module.Classifier
    monkeypatch.setattr(loader_module, "Classifier", lambda **kw: made.append(kw) or real(**kw))

    CatalogLoader(directory, snapshot=path, workers=1).load()
    assert made == []  # 0.3 s saved
    (directory / "c.txt").write_text("2021-04-28\n\nAn edited release in Mexico\n\nWords.\n")
    edited = CatalogLoader(directory, snapshot=path, workers=1).load()
    assert len(made) == 1
    assert edited.entry("2021-04-28-an-edited-release-in-mexico").countries == ("MX",)


def test_a_restart_from_the_snapshot_reads_just_edited_files_at_once(write_archive, tmp_path):
    """Settling applies to reloads: a restart's first reading has nothing older to keep."""
    directory = write_archive(FILES)
    path = tmp_path / "cache" / "archive.snapshot"
    limits = ArchiveLimits(max_file_bytes=2**20, settle_seconds=3600)
    CatalogLoader(directory, snapshot=path, workers=1, limits=limits).load()
    (directory / "c.txt").write_text("2021-04-28\n\nJust edited\n\nWords.\n", encoding="utf-8")

    again = CatalogLoader(directory, snapshot=path, workers=1, limits=limits).load()

    assert "Just edited" in [entry.title for entry in again.entries]
