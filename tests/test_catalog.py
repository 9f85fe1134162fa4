"""The catalog: selections by filter equal a scan, and reloads reuse what did not change."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import shutil
from pathlib import Path

import pytest

import feeds.archive as archive_module
import feeds.catalog as catalog_module
from feeds.catalog import CatalogLoader, Query, load_catalog

SINCE = [None, dt.date(2021, 2, 20), dt.date(2021, 3, 7), dt.date(2030, 1, 1)]


REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REAL_ARCHIVE)


def scan(catalog, base, query: Query) -> list[int]:
    return [
        p
        for p in base
        if (not query.countries or set(catalog.entries[p].countries) & query.countries)
        and (not query.topics or set(catalog.entries[p].topics) & query.topics)
        and (query.since is None or catalog.entries[p].date >= query.since)
    ]


def queries(catalog) -> list[Query]:
    countries = [frozenset(), frozenset({"MX"}), frozenset({"MX", "GT"}), frozenset({"AQ"})]
    topics = [frozenset(), frozenset({"labour-migration"})]
    return [
        Query(countries=c, topics=t, since=s)
        for c, t, s in itertools.product(countries, topics, SINCE)
    ]


@pytest.mark.parametrize("base_name", ["all", "MX", "labour-migration"])
def test_select_equals_a_scan(catalog, base_name: str) -> None:
    base = {
        "all": catalog.all_positions,
        "MX": catalog.country_index["MX"],
        "labour-migration": catalog.topic_index["labour-migration"],
    }[base_name]

    for query in queries(catalog):
        found = catalog.select(base, query)
        expected = scan(catalog, base, query)
        assert list(found) == expected, query
        assert len(found) == len(expected)
        assert list(found[1:3]) == expected[1:3]  # feeds take pages as slices


def test_since_cuts_a_selection_without_copying_it(catalog) -> None:
    mexico = catalog.country_index["MX"]
    found = catalog.select(mexico, Query(since=dt.date(2021, 3, 1)))

    assert 0 < len(found) < len(mexico)
    assert found[0] == mexico[0]
    assert found[-1] == mexico[len(found) - 1]
    with pytest.raises(IndexError):
        found[len(found)]


def test_a_reload_with_nothing_changed_returns_the_same_catalog(write_archive, real_archive_dir):
    directory = write_archive({p.name: p.read_bytes() for p in real_archive_dir.glob("*.txt")})
    loader = CatalogLoader(directory)
    first = loader.load()

    assert loader.load() is first


def test_touching_a_file_keeps_the_catalog_but_moves_its_time(write_archive, real_archive_dir):
    directory = write_archive({p.name: p.read_bytes() for p in real_archive_dir.glob("*.txt")})
    loader = CatalogLoader(directory)
    first = loader.load()
    some_file = next(directory.glob("*.txt"))
    stat = some_file.stat()
    os.utime(some_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5 * 10**9))

    touched = loader.load()

    assert touched.version == first.version
    assert touched.entries is first.entries and touched.search_index is first.search_index
    assert touched.archive.modified >= first.archive.modified + 4


def test_editing_a_file_gives_a_new_catalog(write_archive, real_archive_dir) -> None:
    directory = write_archive({p.name: p.read_bytes() for p in real_archive_dir.glob("*.txt")})
    loader = CatalogLoader(directory)
    first = loader.load()
    write_archive({"new.txt": "1 May, 2021\n\nPolice training in Quetzaltenango\n\nA course.\n"})

    edited = loader.load()

    assert edited.version != first.version
    assert len(edited.entries) == len(first.entries) + 1
    assert [edited.entries[p].title for p in edited.search_index.find(("quetzaltenango",))] == [
        "Police training in Quetzaltenango"
    ]


def test_entries_dated_after_today_are_held_back_until_their_day(tmp_path):
    (tmp_path / "a.txt").write_text(
        "1 May 2024\n\nPublished already\n\nText.\n\n3 May 2024\n\nEmbargoed\n\nText.\n",
        encoding="utf-8",
    )
    today = [dt.date(2024, 5, 2)]
    loader = CatalogLoader(tmp_path, today=lambda: today[0])

    before = loader.load()
    assert [e.title for e in before.entries] == ["Published already"]
    assert any("held back" in str(d) for d in before.archive.diagnostics)

    today[0] = dt.date(2024, 5, 3)
    after = loader.load()
    assert [e.title for e in after.entries] == ["Embargoed", "Published already"]
    assert after.version != before.version

    today[0] = dt.date(2024, 5, 4)  # nothing held back: the version no longer moves
    assert loader.load().version == after.version


def test_the_garbage_collector_waits_until_a_load_is_over(monkeypatch, tmp_path: Path) -> None:
    """A collection between parsing and indexing would scan every new object again."""
    archive_dir = tmp_path / "archive"
    shutil.copytree(REAL_ARCHIVE, archive_dir)
    collector_on: dict[str, bool] = {}

    def watched(module, name):
        real = getattr(module, name)

        def call(*args):
            collector_on[name] = gc.isenabled()
            return real(*args)

        monkeypatch.setattr(module, name, call)

    watched(archive_module, "merge_files")
    watched(catalog_module, "build_catalog")
    assert gc.isenabled()

    catalog = CatalogLoader(archive_dir).load()

    assert collector_on == {"merge_files": False, "build_catalog": False}
    assert gc.isenabled()
    assert len(catalog.entries) == 20
