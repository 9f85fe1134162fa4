"""Archive directory → entries: file discovery, de-duplication, order, and the reload cache."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import merge_files

import feeds.archive.files as files_module
from feeds.archive.entry import Entry, Source
from feeds.archive.files import Archive, archive_files
from feeds.archive.opening import Unreadable
from feeds.catalog import CatalogLoader
from feeds.errors import ArchiveNotFoundError, FeedsError

WriteArchive = Callable[..., Path]
MakeEntry = Callable[..., Entry]

REAL_ROWS = json.loads((Path(__file__).parent / "data" / "real_archive.json").read_text("utf-8"))

MARCH_12 = "12 March, 2021\nIOM trains Mexicali police\nThe summary.\n\n"
MARCH_6 = "6 March, 2021\nKey staff completed training\nAnother summary.\n\n"
APRIL_27 = "27 April, 2021\nDominican Republic starts a pilot card\nA third summary.\n\n"


def load(directory: Path) -> Archive:
    return CatalogLoader(directory).load().archive


class ArchiveReader:
    """The catalog loader's archive, loaded again and again (what the service does)."""

    def __init__(self, directory: Path, tagger: CountingClassifier) -> None:
        self.directory = directory
        self.tagger = tagger
        self.loader = CatalogLoader(directory, tagger=tagger)

    def load(self) -> Archive:
        return self.loader.load().archive

    def forget(self) -> None:
        """Start again with nothing parsed, as a restarted service does."""
        self.loader = CatalogLoader(self.directory, tagger=self.tagger)


def titles(archive: Archive) -> list[str]:
    return [entry.title for entry in archive.entries]


class CountingClassifier:
    """A stand-in for the classifier's tagger that records which titles it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, title: str, summary: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        self.seen.append(title)
        return ("MX",), ("training",)


# --- The real archive -------------------------------------------------------------------


def test_real_archive_has_twenty_entries_newest_first(real_archive_dir: Path) -> None:
    archive = load(real_archive_dir)

    in_archive_order = sorted(REAL_ROWS, key=lambda row: (row["file"], row["line"]))
    newest_first = sorted(in_archive_order, key=lambda row: row["date"], reverse=True)
    assert [
        {"file": e.source.path, "line": e.source.line, "date": str(e.date), "title": e.title}
        for e in archive.entries
    ] == newest_first
    assert archive.diagnostics == ()
    assert (archive.error_count, archive.warning_count) == (0, 0)
    assert archive.files == (
        "2021-02-to-03-press-releases.txt",
        "2021-03-to-04-press-releases.txt",
    )


def test_real_archive_dates_span_february_to_april_2021(real_archive_dir: Path) -> None:
    dates = [entry.date for entry in load(real_archive_dir).entries]

    assert (dates[0], dates[-1]) == (dt.date(2021, 4, 27), dt.date(2021, 2, 12))
    assert dates == sorted(dates, reverse=True)


# --- Which files are read ---------------------------------------------------------------


def test_every_txt_file_below_the_directory_is_read_in_path_order(
    write_archive: WriteArchive,
) -> None:
    directory = write_archive(
        {
            "b.txt": MARCH_6,
            "a.txt": MARCH_12,
            "2020/z.txt": "",
            "2020/sub/y.txt": "",
            ".hidden.txt": APRIL_27,
            ".git/x.txt": APRIL_27,
            "notes.md": APRIL_27,
            "overrides.toml": "",
            "a.txt.bak": APRIL_27,
        }
    )

    found = [relative for relative, _path in archive_files(directory)]

    assert found == ["2020/sub/y.txt", "2020/z.txt", "a.txt", "b.txt"]
    assert load(directory).files == tuple(found)
    assert titles(load(directory)) == ["IOM trains Mexicali police", "Key staff completed training"]


def test_linked_folders_are_not_followed_but_linked_files_are_read(
    write_archive: WriteArchive, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text(MARCH_12, encoding="utf-8")
    directory = write_archive({"b.txt": MARCH_6})
    (directory / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    (directory / "linked.txt").symlink_to(elsewhere / "x.txt")

    found = [relative for relative, _path in archive_files(directory)]

    assert found == ["b.txt", "linked.txt"]


def test_sources_are_relative_paths_with_forward_slashes(write_archive: WriteArchive) -> None:
    directory = write_archive({"2021/03/releases.txt": "Heading\n\n" + MARCH_12})

    archive = load(directory)

    assert archive.entries[0].source == Source("2021/03/releases.txt", 3)
    assert [str(d) for d in archive.diagnostics] == [
        "2021/03/releases.txt:1: error: text before the first date line (skipped up to it)"
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(None, "does not exist", id="missing"),
        pytest.param({}, r"has no \*\.txt files", id="empty"),
        pytest.param({"notes.md": MARCH_12, ".old.txt": MARCH_12}, r"has no \*\.txt", id="no-txt"),
    ],
)
def test_a_missing_or_empty_directory_is_a_clear_error(
    files: dict[str, str] | None, message: str, write_archive: WriteArchive, tmp_path: Path
) -> None:
    directory = tmp_path / "nowhere" if files is None else write_archive(files)

    with pytest.raises(ArchiveNotFoundError, match=message) as raised:
        load(directory)

    assert isinstance(raised.value, FeedsError)
    assert str(directory) in str(raised.value)


def test_a_file_given_as_directory_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "march.txt"
    path.write_text(MARCH_12, encoding="utf-8")

    with pytest.raises(ArchiveNotFoundError):
        load(path)


def test_a_file_name_that_is_not_utf8_is_read(write_archive: WriteArchive) -> None:
    # A file copied from an old Windows share: "café.txt" named in Latin-1 bytes.
    name = os.fsdecode(b"caf\xe9.txt")
    try:
        directory = write_archive({name: "12 March, 2021\nIOM trains Mexicali police\n"})
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")

    archive = load(directory)

    assert titles(archive) == ["IOM trains Mexicali police"]
    for text in (*archive.files, *map(str, archive.diagnostics), str(archive.entries[0].source)):
        text.encode("utf-8")  # printable by `feeds check` and `feeds export`


# --- De-duplication and order -----------------------------------------------------------


def test_the_same_entry_in_two_files_is_kept_once(write_archive: WriteArchive) -> None:
    again = MARCH_12.replace("IOM trains", "IOM  TRAINS").replace("12 March, 2021", "2021-03-12")
    directory = write_archive({"b.txt": again + MARCH_6, "a.txt": MARCH_12})

    archive = load(directory)

    assert titles(archive) == ["IOM trains Mexicali police", "Key staff completed training"]
    assert archive.entries[0].source == Source("a.txt", 1)
    assert [str(d) for d in archive.diagnostics] == [
        "b.txt:1: warning: duplicate of the entry at a.txt:1 (same date and title)"
    ]
    assert (archive.error_count, archive.warning_count) == (0, 1)


def test_a_duplicate_with_another_summary_says_which_is_kept(write_archive: WriteArchive) -> None:
    edited = MARCH_12.replace("The summary.", "An edited summary.")
    directory = write_archive({"a.txt": MARCH_12, "sub/b.txt": edited})

    archive = load(directory)

    assert [e.summary for e in archive.entries] == [("The summary.",)]
    assert [str(d) for d in archive.diagnostics] == [
        "sub/b.txt:1: warning: duplicate of the entry at a.txt:1 (same date and title); "
        "the summaries differ, the first is kept"
    ]


def test_same_title_on_another_day_is_another_entry(write_archive: WriteArchive) -> None:
    directory = write_archive(
        {"a.txt": MARCH_12, "b.txt": MARCH_12.replace("12 March", "13 March")}
    )

    archive = load(directory)

    assert [e.date.day for e in archive.entries] == [13, 12]
    assert archive.diagnostics == ()


def test_entries_are_newest_first_across_files_ties_in_archive_order(
    write_archive: WriteArchive,
) -> None:
    tie = "12 March, 2021\nSame day, later file\nS\n\n"
    directory = write_archive({"a.txt": MARCH_6 + MARCH_12, "b.txt": tie + APRIL_27})

    assert titles(load(directory)) == [
        "Dominican Republic starts a pilot card",
        "IOM trains Mexicali police",
        "Same day, later file",
        "Key staff completed training",
    ]


def test_merge_files_dedupes_by_id_and_sorts_newest_first(make_entry: MakeEntry) -> None:
    old = make_entry(date=dt.date(2020, 1, 1), title="Old")
    first = make_entry(title="Same", source=Source("a.txt", 5))
    again = make_entry(title="SAME!", source=Source("b.txt", 9))
    new = make_entry(date=dt.date(2022, 1, 1), title="New")

    entries, diagnostics = merge_files([("a.txt", (old, first), ()), ("b.txt", (again, new), ())])

    assert entries == [new, first, old]
    assert [str(d) for d in diagnostics] == [
        "b.txt:9: warning: duplicate of the entry at a.txt:5 (same date and title)"
    ]


def test_a_file_of_bad_entries_does_not_lose_the_others(write_archive: WriteArchive) -> None:
    bad = b"31 February, 2021\nSkipped\nS\n\n6 March, 2021\n\n\x00\n"
    directory = write_archive({"a.txt": MARCH_12, "b.txt": bad, "c.txt": APRIL_27})

    archive = load(directory)

    assert titles(archive) == [
        "Dominican Republic starts a pilot card",
        "IOM trains Mexicali police",
    ]
    assert [str(d).split(": ", 2)[:2] for d in archive.diagnostics] == [
        ["b.txt:1", "error"],
        ["b.txt:5", "error"],
        ["b.txt:7", "warning"],
    ]
    assert (archive.error_count, archive.warning_count) == (2, 1)


def test_decoding_warnings_name_the_file(write_archive: WriteArchive) -> None:
    directory = write_archive(
        {"old/march.txt": MARCH_12.replace("trains", "trains café").encode("cp1252")}
    )

    archive = load(directory)

    assert titles(archive) == ["IOM trains café Mexicali police"]
    assert [str(d)[: len("old/march.txt:2: warning: ")] for d in archive.diagnostics] == [
        "old/march.txt:2: warning: "
    ]


# --- Classification and the reload cache -----------------------------------------------


def test_classify_is_applied_to_every_entry(write_archive: WriteArchive) -> None:
    directory = write_archive({"a.txt": MARCH_12 + MARCH_6})

    archive = CatalogLoader(directory, tagger=CountingClassifier()).load().archive

    assert {(e.countries, e.topics) for e in archive.entries} == {(("MX",), ("training",))}


@pytest.fixture
def loaded(write_archive: WriteArchive) -> tuple[ArchiveReader, CountingClassifier, Archive]:
    """A two-file archive, loaded once with a counting classifier."""
    directory = write_archive({"a.txt": MARCH_12, "b.txt": MARCH_6})
    classifier = CountingClassifier()
    loader = ArchiveReader(directory, classifier)
    first = loader.load()
    classifier.seen.clear()
    return loader, classifier, first


def test_reloading_an_unchanged_archive_parses_nothing(
    loaded: tuple[ArchiveReader, CountingClassifier, Archive],
) -> None:
    loader, classifier, first = loaded

    assert loader.load() == first
    assert classifier.seen == []


def test_touching_a_file_keeps_the_entries_and_the_version(
    loaded: tuple[ArchiveReader, CountingClassifier, Archive],
) -> None:
    loader, classifier, first = loaded
    path = loader.directory / "a.txt"
    os.utime(path, ns=(path.stat().st_atime_ns, 2_000_000_000 * 10**9))

    archive = loader.load()

    assert (archive.entries, archive.diagnostics, archive.version) == (
        first.entries,
        first.diagnostics,
        first.version,
    )
    assert archive.modified == 2_000_000_000
    assert classifier.seen == []


def test_editing_a_file_reparses_only_that_file(
    loaded: tuple[ArchiveReader, CountingClassifier, Archive],
) -> None:
    loader, classifier, first = loaded
    (loader.directory / "b.txt").write_text(MARCH_6 + APRIL_27, encoding="utf-8")

    archive = loader.load()

    assert sorted(classifier.seen) == [
        "Dominican Republic starts a pilot card",
        "Key staff completed training",
    ]
    assert titles(archive) == [
        "Dominican Republic starts a pilot card",
        "IOM trains Mexicali police",
        "Key staff completed training",
    ]
    assert archive.version != first.version


def test_removed_and_added_files_are_noticed(
    loaded: tuple[ArchiveReader, CountingClassifier, Archive],
) -> None:
    loader, classifier, _first = loaded
    (loader.directory / "a.txt").unlink()
    (loader.directory / "c.txt").write_text(APRIL_27, encoding="utf-8")

    archive = loader.load()

    assert archive.files == ("b.txt", "c.txt")
    assert titles(archive) == [
        "Dominican Republic starts a pilot card",
        "Key staff completed training",
    ]
    assert classifier.seen == ["Dominican Republic starts a pilot card"]


def test_forget_parses_everything_again(
    loaded: tuple[ArchiveReader, CountingClassifier, Archive],
) -> None:
    loader, classifier, first = loaded
    loader.forget()

    assert loader.load() == first
    assert sorted(classifier.seen) == ["IOM trains Mexicali police", "Key staff completed training"]


@pytest.mark.parametrize("data_file", ["taxonomy.toml", "overrides.toml"])
def test_the_version_follows_the_data_files(
    data_file: str, loaded: tuple[ArchiveReader, CountingClassifier, Archive]
) -> None:
    loader, _classifier, first = loaded
    valid = TAXONOMY if data_file == "taxonomy.toml" else ""  # the loader parses it
    (loader.directory / data_file).write_text("# one\n" + valid, encoding="utf-8")
    with_file = loader.load().version
    (loader.directory / data_file).write_text("# two\n" + valid, encoding="utf-8")

    assert len({first.version, with_file, loader.load().version}) == 3
    assert loader.load().files == first.files


TAXONOMY = '[[topic]]\nslug = "water"\nname = "Water"\ndescription = "W."\nterms = ["well"]\n'


def test_a_file_whose_read_failed_is_read_again_and_search_still_uses_postings(
    write_archive: WriteArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed read (permissions, an I/O error) changes neither mtime, size nor inode
    once fixed: it must not be remembered as the file's reading."""
    directory = write_archive({"a.txt": MARCH_12, "b.txt": MARCH_6})
    real_read = files_module.read_bytes
    failing = {"b.txt"}

    def flaky(path: str, max_bytes: int) -> bytes:
        if os.path.basename(path) in failing:
            raise Unreadable("cannot read: Input/output error")
        return real_read(path, max_bytes)

    monkeypatch.setattr(files_module, "read_bytes", flaky)
    loader = CatalogLoader(directory)
    first = loader.load()
    assert titles(first.archive) == ["IOM trains Mexicali police"]
    assert [str(d) for d in first.archive.diagnostics] == [
        "b.txt: error: cannot read: Input/output error"
    ]
    assert first.search is not None  # the other files' postings, not a rebuild per reload

    failing.clear()
    again = loader.load()

    assert titles(again.archive) == ["IOM trains Mexicali police", "Key staff completed training"]
    assert again.archive.diagnostics == ()
