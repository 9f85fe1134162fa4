"""Editors' corrections to classification: ``<archive>/overrides.toml`` (issue 3).

Each table is named by an entry id and adds or removes countries and topics::

    ["2021-03-12-iom-strengthens-digital-commerce-capacities-for-the-small-business-sector-of-desamparados"]
    add_topics = ["integration"]
    remove_countries = ["costa-rica"]   # an alpha-2 code or a country slug
    note = "why, for the next editor"

A mistake in the file is reported as ``overrides.toml:LINE: error: ...`` by ``feeds
check``; the rest of the file still applies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from feeds.archive.entry import Diagnostic, Entry, error
from feeds.classify.countries import country_named
from feeds.classify.topics import Taxonomy
from feeds.errors import UnknownSelectionError
from feeds.tomlfile import line_of, parse_toml

_CHANGES = ("add_countries", "remove_countries", "add_topics", "remove_topics")
_HEADER = re.compile(r"""^\s*\[\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")


@dataclass(frozen=True, slots=True)
class Value:
    """A country or topic as the editor wrote it, and its line in the file."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Override:
    """The corrections for one entry."""

    entry_id: str
    #: Line of the entry's table header.
    line: int
    add_countries: tuple[Value, ...] = ()
    remove_countries: tuple[Value, ...] = ()
    add_topics: tuple[Value, ...] = ()
    remove_topics: tuple[Value, ...] = ()
    #: The editor's reason; never shown to readers.
    note: str = ""


@dataclass(frozen=True, slots=True)
class Overrides:
    """Every override in one file."""

    #: The file as diagnostics name it: ``overrides.toml``.
    display_path: str = "overrides.toml"
    items: tuple[Override, ...] = ()


def parse_overrides(text: str, display_path: str) -> tuple[Overrides, list[Diagnostic]]:
    """The overrides written in ``text`` (the file shown as ``display_path``), and the
    problems found."""
    empty = Overrides(display_path)
    data, message, line = parse_toml(text)
    if message:
        return empty, [error(display_path, line, message)]
    headers = _header_lines(text)
    items, problems = [], []
    for entry_id, table in data.items():
        start = headers.get(entry_id) or line_of(text, entry_id)
        override, found = _override(entry_id, table, text, start, display_path)
        problems += found
        if override is not None:
            items.append(override)
    return Overrides(display_path, tuple(items)), problems


def _header_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            found.setdefault(next(group for group in header.groups() if group is not None), number)
    return found


def _override(
    entry_id: str, table: Any, text: str, start: int, shown: str
) -> tuple[Override | None, list[Diagnostic]]:
    if not isinstance(table, dict):
        return None, [error(shown, start, f"{entry_id!r} must be a table of changes")]
    problems = []
    changes: dict[str, tuple[Value, ...]] = {}
    for name, values in table.items():
        line = line_of(text, name, start)
        if name == "note":
            if not isinstance(values, str):
                problems.append(error(shown, line, "note must be a string"))
        elif name not in _CHANGES:
            expected = ", ".join((*_CHANGES, "note"))
            problems.append(error(shown, line, f"unknown key {name!r}; expected one of {expected}"))
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(error(shown, line, f"{name} must be a list of strings"))
        else:
            changes[name] = tuple(Value(v, _value_line(text, v, line)) for v in values)
    note = table["note"] if isinstance(table.get("note"), str) else ""
    return Override(entry_id, start, note=note, **changes), problems


def _value_line(text: str, value: str, start: int) -> int:
    """Line of the quoted ``value`` at or after ``start``: where the editor wrote it."""
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        if f'"{value}"' in lines[number - 1] or f"'{value}'" in lines[number - 1]:
            return number
    return start


def overridden(entry: Entry, override: Override, taxonomy: Taxonomy) -> Entry:
    """``entry`` with one override's countries and topics added and removed."""
    changes, _unknown = _resolve(override, taxonomy)
    countries = (set(entry.countries) | changes["add_countries"]) - changes["remove_countries"]
    topics = (set(entry.topics) | changes["add_topics"]) - changes["remove_topics"]
    return dataclasses.replace(
        entry, countries=tuple(sorted(countries)), topics=tuple(sorted(topics))
    )


def override_problems(
    overrides: Overrides, taxonomy: Taxonomy, is_known: Callable[[str], bool]
) -> list[Diagnostic]:
    """The overrides that name an unknown entry, country or topic, in the file's order."""
    shown = overrides.display_path
    problems: list[Diagnostic] = []
    for override in overrides.items:
        if not is_known(override.entry_id):
            message = f"override for unknown entry {override.entry_id!r}"
            problems.append(error(shown, override.line, message))
            continue
        _changes, unknown = _resolve(override, taxonomy)
        problems += [error(shown, v.line, f"unknown {kind} {v.text!r}") for v, kind in unknown]
    return problems


def _resolve(
    override: Override, taxonomy: Taxonomy
) -> tuple[dict[str, set[str]], list[tuple[Value, str]]]:
    """The override's changes as codes and slugs, and the values that name nothing."""
    changes: dict[str, set[str]] = {}
    unknown: list[tuple[Value, str]] = []
    for change in _CHANGES:
        kind = "country" if change.endswith("countries") else "topic"
        changes[change] = set()
        for value in getattr(override, change):
            found = _country_code(value.text) if kind == "country" else _topic(value.text, taxonomy)
            if found is None:
                unknown.append((value, kind))
            else:
                changes[change].add(found)
    return changes, unknown


def _country_code(text: str) -> str | None:
    try:
        return country_named(text).code
    except UnknownSelectionError:
        return None


def _topic(text: str, taxonomy: Taxonomy) -> str | None:
    try:
        return taxonomy.by_slug(text).slug
    except UnknownSelectionError:
        return None
