"""The catalog: selections by filter equal a scan, and reloads reuse what did not change."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import random
import shutil
from pathlib import Path

import pytest
from samples import TITLES, TODAY, RandomEditor, dated_entry

import feeds.archive.files as archive_module
import feeds.catalog.build as catalog_module
import feeds.catalog.loader as loader_module
from feeds.catalog import CatalogLoader, Query, load_catalog
from feeds.catalog.indexes import IdIndex
from feeds.errors import ArchiveTooLargeError, DataFileError

SINCE = [None, dt.date(2021, 2, 20), dt.date(2021, 3, 7), dt.date(2030, 1, 1)]


REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REAL_ARCHIVE)


def scan(catalog, base, query: Query) -> list[int]:
    return [
        key
        for key in base
        if (not query.countries or set(catalog.entry_at(key).countries) & query.countries)
        and (not query.topics or set(catalog.entry_at(key).topics) & query.topics)
        and (query.since is None or catalog.entry_at(key).date >= query.since)
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
        "all": catalog.keys,
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
    found = edited.entries_at(edited.search_index.find(("quetzaltenango",)))
    assert [entry.title for entry in found] == ["Police training in Quetzaltenango"]


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

        def call(*args, **kwargs):
            collector_on[name] = gc.isenabled()
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    watched(archive_module, "parse_text")
    watched(loader_module, "build")
    assert gc.isenabled()

    catalog = CatalogLoader(archive_dir).load()

    assert collector_on == {"parse_text": False, "build": False}
    assert gc.isenabled()
    assert len(catalog.entries) == 20


# --- Reloads update the last catalog: the same as loading afresh -------------------------


def observable(catalog) -> dict:
    """Everything a request can see of ``catalog``; keys themselves may differ."""
    assert list(catalog.keys) == sorted(set(catalog.keys))
    assert len(catalog.keys) == len(catalog.entries)

    def ids(keys) -> list[str]:
        return [entry.id for entry in catalog.entries_at(keys)]

    words = {w for e in catalog.entries for w in e.title.lower().split()} | {"nowhere"}
    return {
        "entries": tuple(catalog.entries),
        "diagnostics": catalog.archive.diagnostics,
        "version": catalog.version,
        "files": catalog.archive.files,
        "countries": {code: ids(keys) for code, keys in catalog.country_index.items()},
        "topics": {slug: ids(keys) for slug, keys in catalog.topic_index.items()},
        "regions": {slug: ids(keys) for slug, keys in catalog.region_index.items()},
        "by_id": {entry_id: catalog.entry_at(key) for entry_id, key in catalog.by_id.items()},
        "same_day": [catalog.same_day_rank(key) for key in catalog.keys],
        "search": {word: ids(catalog.search_index.find((word,))) for word in sorted(words)},
        "since": ids(catalog.select(catalog.keys, Query(since=TODAY - dt.timedelta(days=3)))),
    }


@pytest.mark.parametrize("seed", range(12))
def test_every_reload_equals_a_fresh_load(tmp_path: Path, seed: int) -> None:
    editor = RandomEditor(tmp_path, seed)
    loader = CatalogLoader(tmp_path, today=lambda: TODAY)
    loader.load()
    changes, updated = [], []

    for _step in range(25):
        changes.append(editor.step())
        builds_before = loader.builds
        reloaded = observable(loader.load())
        updated.append(loader.builds == builds_before)
        fresh = observable(CatalogLoader(tmp_path, today=lambda: TODAY).load())
        assert reloaded == fresh, changes

    assert sum(updated) > len(changes) // 3, list(zip(changes, updated, strict=True))


def test_editing_one_file_updates_the_catalog_without_building_it(tmp_path: Path) -> None:
    for name, titles in (("a.txt", TITLES), ("b.txt", TITLES[:1]), ("c.txt", TITLES)):
        (tmp_path / name).write_text(
            "".join(dated_entry(TODAY, f"{title} in {name}", "Text.") for title in titles),
            encoding="utf-8",
        )
    loader = CatalogLoader(tmp_path)
    first = loader.load()
    with (tmp_path / "b.txt").open("a", encoding="utf-8") as out:
        out.write(dated_entry(TODAY, "Police training in Mexicali, again", "More text."))

    edited = loader.load()

    assert (loader.builds, loader.updates) == (1, 1)  # built once, then updated
    assert len(edited.entries) == len(first.entries) + 1
    assert edited.entry_at(edited.by_id[edited.entries[8].id]) is edited.entries[8]
    assert observable(edited) == observable(CatalogLoader(tmp_path).load())

    # lists without an entry of b.txt are shared with the last catalog, not copied
    def without_b(catalog, keys) -> bool:
        return all(entry.source.path != "b.txt" for entry in catalog.entries_at(keys))

    untouched = [s for s, keys in first.topic_index.items() if keys and without_b(first, keys)]
    assert untouched
    assert all(first.topic_index[s] is edited.topic_index[s] for s in untouched)


@pytest.mark.parametrize("seed", range(8))
def test_an_id_index_of_changes_reads_like_a_dict(seed: int) -> None:
    rng = random.Random(seed)
    expected = {f"id-{n}": n for n in range(40)}
    index = IdIndex(dict(expected))

    for _change in range(12):
        removed = rng.sample(sorted(expected), rng.randrange(0, 6))
        added = {f"id-{rng.randrange(60)}": rng.randrange(10**6) for _ in range(rng.randrange(4))}
        index = index.changed(removed, added)
        for entry_id in removed:
            expected.pop(entry_id, None)
        expected.update(added)

        assert dict(index) == expected
        assert len(index) == len(expected)
        assert all((f"id-{n}" in index) == (f"id-{n}" in expected) for n in range(60))
        assert index.get("id-99") is None


def test_a_file_too_large_to_number_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "big.txt").write_text(
        "".join(dated_entry(TODAY, title, "Text.") for title in TITLES[:3]), encoding="utf-8"
    )
    monkeypatch.setattr(catalog_module, "fits_in_a_file", lambda count: count <= 2)

    with pytest.raises(ArchiveTooLargeError, match=r"big\.txt: 3 entries in one file"):
        CatalogLoader(tmp_path).load()


# --- The loader reads the data files beside the archive, once per load ------------------


def test_missing_overrides_file_means_no_overrides(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(dated_entry(TODAY, TITLES[0], "Text."), encoding="utf-8")
    problems = CatalogLoader(tmp_path).load().archive.diagnostics
    assert problems == ()


def test_undecodable_overrides_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(dated_entry(TODAY, TITLES[0], "Text."), encoding="utf-8")
    (tmp_path / "overrides.toml").write_bytes(b"\xff\xfe")
    problems = CatalogLoader(tmp_path).load().archive.diagnostics
    assert len(problems) == 1
    assert str(problems[0]).startswith("overrides.toml:1: error: cannot read")


def test_undecodable_taxonomy_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(dated_entry(TODAY, TITLES[0], "Text."), encoding="utf-8")
    (tmp_path / "taxonomy.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(DataFileError, match="cannot read"):
        CatalogLoader(tmp_path).load()


def test_each_data_file_is_read_once_per_load(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.txt").write_text(dated_entry(TODAY, TITLES[0], "Text."), encoding="utf-8")
    (tmp_path / "overrides.toml").write_text("", encoding="utf-8")
    (tmp_path / "taxonomy.toml").write_text(TAXONOMY, encoding="utf-8")
    opened: list[str] = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        opened.append(os.path.basename(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    loader = CatalogLoader(tmp_path)
    loader.load()
    loader.load()

    assert sorted(name for name in opened if name.endswith(".toml")) == [
        "overrides.toml", "overrides.toml", "taxonomy.toml", "taxonomy.toml"
    ]  # fmt: skip


TAXONOMY = '[[topic]]\nslug = "water"\nname = "Water"\ndescription = "W."\nterms = ["well"]\n'


def test_data_files_are_read_only_inside_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(dated_entry(TODAY, TITLES[0], "Text."), encoding="utf-8")
    outside = tmp_path / "secret.toml"
    outside.write_text('["x"]\nadd_topics = ["health"]\n', encoding="utf-8")
    (archive / "overrides.toml").symlink_to(outside)

    problems = [str(d) for d in CatalogLoader(archive).load().archive.diagnostics]

    assert problems == [
        f"overrides.toml:1: error: cannot read overrides: symbolic link to {outside}, "
        "outside the archive: not read"
    ]
