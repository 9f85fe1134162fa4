"""Editors' overrides of countries and topics, and their diagnostics (issue 3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.archive.entry import Entry
from feeds.classify.overrides import Overrides, overridden, override_problems, parse_overrides
from feeds.classify.topics import Taxonomy

MakeEntry = Callable[..., Entry]
ENTRY_ID = "2021-03-06-iom-trained-mexicali-municipal-police"


@pytest.fixture
def entry(make_entry: MakeEntry) -> Entry:
    entry = make_entry(countries=("MX",), topics=("capacity-building", "children"))
    assert entry.id == ENTRY_ID
    return entry


def load(tmp_path: Path, text: str) -> tuple[Overrides, list[str]]:
    overrides, problems = parse_overrides(text, "overrides.toml")
    return overrides, [str(problem) for problem in problems]


def apply(tmp_path: Path, text: str, entry: Entry) -> tuple[Entry, list[str]]:
    """``entry`` with the overrides of ``text``, and what they name that does not exist."""
    overrides, problems = load(tmp_path, text)
    assert problems == []
    taxonomy = Taxonomy.packaged()
    found = override_problems(overrides, taxonomy, {entry.id}.__contains__)
    for override in overrides.items:
        if override.entry_id == entry.id:
            entry = overridden(entry, override, taxonomy)
    return entry, [str(problem) for problem in found]


@pytest.mark.parametrize(
    ("changes", "countries", "topics"),
    [
        ('add_countries = ["GT"]', ("GT", "MX"), ("capacity-building", "children")),
        ('add_countries = ["gt", "el-salvador"]', ("GT", "MX", "SV"), None),
        ('remove_countries = ["mexico"]', (), None),
        ('add_topics = ["protection"]', None, ("capacity-building", "children", "protection")),
        ('remove_topics = ["children"]\nnote = "not about children"', None, ("capacity-building",)),
        ('add_countries = ["US"]\nremove_countries = ["US"]', ("MX",), None),
    ],
)
def test_apply(
    tmp_path: Path,
    entry: Entry,
    changes: str,
    countries: tuple[str, ...] | None,
    topics: tuple[str, ...] | None,
) -> None:
    changed, problems = apply(tmp_path, f'["{ENTRY_ID}"]\n{changes}\n', entry)
    assert problems == []
    assert changed.countries == (entry.countries if countries is None else countries)
    assert changed.topics == (entry.topics if topics is None else topics)


@pytest.mark.parametrize("header", [f"[{ENTRY_ID}]", f"['{ENTRY_ID}']", f'[ "{ENTRY_ID}" ]'])
def test_header_spellings(tmp_path: Path, entry: Entry, header: str) -> None:
    changed, problems = apply(tmp_path, f'{header}\nadd_countries = ["PA"]\n', entry)
    assert (changed.countries, problems) == (("MX", "PA"), [])


UNKNOWN = f"""# corrections
["2020-01-01-no-such-entry"]
add_topics = ["health"]

["{ENTRY_ID}"]
add_countries = [
    "GT",
    "atlantis",
]
add_topics = ["weather"]
"""


def test_unknown_entry_country_and_topic_are_errors_with_their_lines(
    tmp_path: Path, entry: Entry
) -> None:
    changed, problems = apply(tmp_path, UNKNOWN, entry)
    assert problems == [
        "overrides.toml:2: error: override for unknown entry '2020-01-01-no-such-entry'",
        "overrides.toml:8: error: unknown country 'atlantis'",
        "overrides.toml:10: error: unknown topic 'weather'",
    ]
    assert changed.countries == ("GT", "MX")  # the good values still apply
    assert changed.topics == entry.topics


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('["a"]\nadd_topics = [\n', "overrides.toml:3: error: invalid TOML"),
        ('["a"]\nadd_tags = ["x"]\n', "overrides.toml:2: error: unknown key 'add_tags'"),
        ('["a"]\nadd_topics = "health"\n', "overrides.toml:2: error: add_topics must be a list"),
        ('["a"]\nadd_topics = [1]\n', "overrides.toml:2: error: add_topics must be a list"),
        ('["a"]\nnote = 3\n', "overrides.toml:2: error: note must be a string"),
        ('a = "health"\n', "overrides.toml:1: error: 'a' must be a table of changes"),
    ],
)
def test_bad_file(tmp_path: Path, text: str, problem: str) -> None:
    _, problems = load(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith(problem)
