"""Which feeds a reload changed (``feeds.catalog.changes``): what WebSub announces."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from samples import COSTA_RICA, GUYANA, MEXICO, MEXICO_FEEDS, TODAY, RandomEditor

from feeds.archive.entry import Entry
from feeds.catalog import CatalogLoader, load_catalog
from feeds.catalog.changes import changed_selection_paths, entry_fingerprint

MakeEntry = Callable[..., Entry]
WriteArchive = Callable[[Mapping[str, str | bytes]], Path]

GUYANA_FEEDS = [
    "all",
    "country/guyana",
    "topic/diaspora",  # in taxonomy order
    "topic/capacity-building",
    "region/south-america",
]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"a.txt": MEXICO + COSTA_RICA + "\n\n"}, [], id="blank-lines-only"),
        pytest.param(
            {"a.txt": MEXICO.replace("employers", "unions") + COSTA_RICA},
            MEXICO_FEEDS,
            id="summary-edited",
        ),
        pytest.param(
            {"a.txt": MEXICO.replace("forum", "meeting") + COSTA_RICA},
            MEXICO_FEEDS,
            id="title-edited",
        ),
        pytest.param({"a.txt": COSTA_RICA}, MEXICO_FEEDS, id="last-mexico-entry-removed"),
        pytest.param(
            {"a.txt": MEXICO + COSTA_RICA, "b.txt": GUYANA}, GUYANA_FEEDS, id="entry-added"
        ),
    ],
)
def test_changed_selection_paths(
    write_archive: WriteArchive, files: dict[str, str], expected: list[str]
) -> None:
    old = load_catalog(write_archive({"a.txt": MEXICO + COSTA_RICA}))
    new = load_catalog(write_archive(files))
    assert new.version != old.version
    assert changed_selection_paths(old, new) == expected


def test_same_version_changes_nothing(write_archive: WriteArchive) -> None:
    catalog = load_catalog(write_archive({"a.txt": MEXICO}))
    assert changed_selection_paths(catalog, catalog) == []


def test_tags_changed_by_overrides_change_both_feeds(write_archive: WriteArchive) -> None:
    old = load_catalog(write_archive({"a.txt": MEXICO}))
    entry_id = old.entries[0].id
    overrides = f'["{entry_id}"]\nadd_countries = ["GT"]\nremove_countries = ["MX"]\n'
    new = load_catalog(write_archive({"overrides.toml": overrides}))
    assert new.entries[0].countries == ("GT",)
    assert changed_selection_paths(old, new) == [
        "all",
        "country/guatemala",
        "country/mexico",
        "topic/labour-migration",
        "region/central-america",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Another title"),
        ("summary", ("Another summary.",)),
        ("summary", ("The event strengthened", "the capacities of police personnel.")),
        ("date", dt.date(2021, 3, 7)),
        ("countries", ("MX",)),
        ("topics", ("children",)),
    ],
)
def test_fingerprint_covers_what_feeds_show(
    make_entry: MakeEntry, field: str, value: object
) -> None:
    entry = make_entry()
    assert entry_fingerprint(dataclasses.replace(entry, **{field: value})) != (
        entry_fingerprint(entry)
    )


def test_fingerprint_ignores_where_the_entry_is_stored(make_entry: MakeEntry) -> None:
    entry = make_entry()
    moved = dataclasses.replace(entry, source=dataclasses.replace(entry.source, line=99))
    assert entry_fingerprint(moved) == entry_fingerprint(entry)


@pytest.mark.parametrize("seed", range(12))
def test_changes_of_an_update_are_those_of_a_full_comparison(tmp_path: Path, seed: int) -> None:
    """From the changed files' entries alone, the same feeds as comparing every entry."""
    editor = RandomEditor(tmp_path, seed)
    loader = CatalogLoader(tmp_path, today=lambda: TODAY)
    old = loader.load()
    compared_from_changes = 0

    for _step in range(25):
        editor.step()
        new = loader.load()
        everything = changed_selection_paths(old, dataclasses.replace(new, changes=None))

        assert changed_selection_paths(old, new) == everything
        if new.changes is not None and new.version != old.version:
            compared_from_changes += 1
        old = new

    assert compared_from_changes > 5


def test_an_entry_moved_down_its_file_changes_no_feed_of_others(write_archive) -> None:
    """Its key changes (its number in the file does), its place in every list does not."""
    directory = write_archive({"a.txt": MEXICO + COSTA_RICA})
    loader = CatalogLoader(directory)
    old = loader.load()
    write_archive({"a.txt": GUYANA + MEXICO + COSTA_RICA})

    new = loader.load()

    assert new.changes is not None
    assert changed_selection_paths(old, new) == GUYANA_FEEDS
