"""Archive text → entries and diagnostics (issue 2, "Archive format").

Golden files in ``tests/data/parsing/`` hold one mess each: ``<case>.txt`` (exact bytes)
and ``<case>.json`` (the entries the archive keeps from it, newest first, and its
diagnostics; a diagnostic ending in ``…`` is a prefix). Inline tests pin each rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pytest

from feeds.archive.entry import Entry, Source
from feeds.archive.parsing import ParsedText, parse_text
from feeds.catalog import load_catalog

WriteArchive = Callable[..., Path]
DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "parsing"
GOLDEN_CASES = sorted(path.stem for path in GOLDEN.glob("*.txt"))

TITLE = "IOM trains Mexicali police"
SUMMARY = "The event strengthened the capacities of police personnel."


def parse(text: str) -> ParsedText:
    return parse_text(text, "a.txt")


def entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "line": entry.source.line,
        "date": entry.date.isoformat(),
        "title": entry.title,
        "summary": list(entry.summary),
    }


def as_expected(actual: list[str], expected: list[str]) -> list[str]:
    """Shorten each actual diagnostic to the expected prefix it matches, for a readable diff."""
    return [
        want if want.endswith("…") and got.startswith(want[:-1]) else got
        for got, want in zip_longest(actual, expected[: len(actual)], fillvalue="")
    ]


# --- Golden files -----------------------------------------------------------------------


def test_every_golden_file_has_its_expectations() -> None:
    texts = {path.stem for path in GOLDEN.glob("*.txt")}
    expectations = {path.stem for path in GOLDEN.glob("*.json")}
    assert texts == expectations
    assert len(texts) >= 30


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_file(case: str, write_archive: WriteArchive) -> None:
    expected = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
    directory = write_archive({f"{case}.txt": (GOLDEN / f"{case}.txt").read_bytes()})

    archive = load_catalog(directory).archive

    assert [entry_record(entry) for entry in archive.entries] == expected["entries"]
    diagnostics = [str(diagnostic) for diagnostic in archive.diagnostics]
    assert as_expected(diagnostics, expected["diagnostics"]) == expected["diagnostics"]


# --- The real archive files -------------------------------------------------------------

REAL_ROWS = json.loads((DATA / "real_archive.json").read_text(encoding="utf-8"))
REAL_FILES = sorted({row["file"] for row in REAL_ROWS})


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_dates_titles_and_lines(name: str, real_archive_dir: Path) -> None:
    parsed = parse_text((real_archive_dir / name).read_text(encoding="utf-8"), name)

    expected = [row for row in REAL_ROWS if row["file"] == name]
    found = [
        {"file": e.source.path, "line": e.source.line, "date": str(e.date), "title": e.title}
        for e in parsed.entries
    ]
    assert found == expected
    assert parsed.diagnostics == ()


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_summaries_are_normalised(name: str, real_archive_dir: Path) -> None:
    parsed = parse_text((real_archive_dir / name).read_text(encoding="utf-8"), name)

    paragraphs = [p for entry in parsed.entries for p in entry.summary]
    assert len(paragraphs) == len(parsed.entries)  # one paragraph each in the sample files
    assert all(p == " ".join(p.split()) for p in paragraphs)
    assert not any("\u00a0" in p or "\u202f" in p for p in paragraphs)


# --- One rule at a time -----------------------------------------------------------------


def test_entry_fields() -> None:
    parsed = parse(f"12 March, 2021\n{TITLE}\n{SUMMARY}\n")

    assert parsed.diagnostics == ()
    assert parsed.entries == (
        Entry(
            id="2021-03-12-iom-trains-mexicali-police",
            guid="tag:newsroom.example.org,2021-03-12:entries/iom-trains-mexicali-police",
            date=dt.date(2021, 3, 12),
            title=TITLE,
            summary=(SUMMARY,),
            source=Source("a.txt", 1),
            countries=(),
            topics=(),
        ),
    )


def test_entries_are_immutable() -> None:
    (entry,) = parse(f"12 March, 2021\n{TITLE}\n{SUMMARY}\n").entries

    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.title = "changed"  # type: ignore[misc]


def test_tag_authority_is_the_one_given() -> None:
    text = f"12 March, 2021\n{TITLE}\n{SUMMARY}\n"

    (entry,) = parse_text(text, "a.txt", tag_authority="press.example.net").entries

    assert entry.guid == "tag:press.example.net,2021-03-12:entries/iom-trains-mexicali-police"


@pytest.mark.parametrize("gap", ["", "\n", "\n\n\n", "\n \t\n\u00a0\n"])
def test_title_is_the_next_non_blank_line(gap: str) -> None:
    (entry,) = parse(f"12 March, 2021\n{gap}{TITLE}\n{gap}{SUMMARY}\n{gap}").entries

    assert (entry.title, entry.summary) == (TITLE, (SUMMARY,))


@pytest.mark.parametrize("separator", ["\n\n", "\n\n\n\n", "\n  \n\t\n"])
def test_blank_lines_separate_paragraphs(separator: str) -> None:
    text = f"12 March, 2021\n{TITLE}\nOne,\nstill one.{separator}Two.{separator}Three.\n"

    (entry,) = parse(text).entries

    assert entry.summary == ("One, still one.", "Two.", "Three.")
    assert entry.summary_text == "One, still one.\n\nTwo.\n\nThree."


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_do_not_change_entries_or_lines(newline: str) -> None:
    text = f"12 March, 2021\n\n{TITLE}\n{SUMMARY}\n\nMore.\n\n6 March, 2021\nT\nS\n"

    assert parse(text.replace("\n", newline)) == parse(text)
    assert [e.source.line for e in parse(text.replace("\n", newline)).entries] == [1, 8]


@pytest.mark.parametrize(
    "space", ["\t", "\u00a0", "\u202f", "\u2009", "\u3000", "  ", " \t\u00a0 "]
)
def test_white_space_becomes_single_spaces(space: str) -> None:
    text = f"12{space}March, 2021{space}\nIOM{space}trains{space}\nThe{space}event.{space}\n"

    parsed = parse(text)

    assert [(e.title, e.summary) for e in parsed.entries] == [("IOM trains", ("The event.",))]
    assert parsed.diagnostics == ()


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x0b", "\x0c", "\x80", "\x9f"])
def test_control_characters_are_dropped_with_a_warning(char: str) -> None:
    parsed = parse(f"12 March, 2021\nIOM{char} trains\n{SUMMARY}\n")

    assert [e.title for e in parsed.entries] == ["IOM trains"]
    assert [str(d) for d in parsed.diagnostics] == [
        f"a.txt:2: warning: dropped 1 control character(s) (U+{ord(char):04X})"
    ]


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\ufeff"])  # not U+200C/U+200D
def test_invisible_characters_are_dropped_silently(char: str) -> None:
    parsed = parse(f"{char}12 March,{char} 2021\nIOM{char} trains\n{SUMMARY}{char}\n")

    assert [(e.title, e.summary) for e in parsed.entries] == [("IOM trains", (SUMMARY,))]
    assert parsed.diagnostics == ()


@pytest.mark.parametrize(
    "title",
    ["A family 👩\u200d👩\u200d👧 reunited", "Persian: می\u200cخواهم", "Hindi: क्\u200dष"],
    ids=["zwj-emoji", "zwnj-persian", "zwj-devanagari"],
)
def test_zero_width_joiners_and_non_joiners_are_kept(title: str) -> None:
    parsed = parse(f"12 March, 2021\n{title}\n{SUMMARY} {title}\n")

    assert [(e.title, e.summary) for e in parsed.entries] == [(title, (f"{SUMMARY} {title}",))]
    assert parsed.diagnostics == ()


def test_text_before_the_first_date_line_is_one_error_and_entries_are_kept() -> None:
    parsed = parse(f"\nPress releases\nMarch 2021\n\n12 March, 2021\n{TITLE}\n{SUMMARY}\n")

    assert [str(d) for d in parsed.diagnostics] == [
        "a.txt:2: error: text before the first date line (skipped up to it)"
    ]
    assert [e.source.line for e in parsed.entries] == [5]


@pytest.mark.parametrize(
    "date_line",
    ["31 February, 2022", "2022-02-29", "April 31, 2021", "2021-13-01", "32 March 2021"],
)
def test_an_impossible_date_skips_only_its_entry(date_line: str) -> None:
    text = f"12 March, 2021\nKept\nS\n\n{date_line}\nSkipped\nS\n\n6 March, 2021\nAlso kept\nS\n"

    parsed = parse(text)

    assert [e.title for e in parsed.entries] == ["Kept", "Also kept"]
    assert [str(d) for d in parsed.diagnostics] == [
        f"a.txt:5: error: impossible date '{date_line}'; entry skipped"
    ]


@pytest.mark.parametrize(
    "after", ["\n6 March, 2021\nKept\nS\n", "\n\n2021-03-06\nKept\nS\n", "", "\n\n  \n"]
)
def test_a_date_line_without_title_is_an_error(after: str) -> None:
    parsed = parse(f"12 March, 2021\n{after}")

    assert [e.title for e in parsed.entries] == (["Kept"] if after.strip() else [])
    assert [str(d) for d in parsed.diagnostics] == [
        "a.txt:1: error: date line '12 March, 2021' has no title"
    ]


@pytest.mark.parametrize("after", ["", "\n\n", "\n6 March, 2021\nNext\nS\n"])
def test_a_title_without_summary_is_kept_with_a_warning(after: str) -> None:
    parsed = parse(f"12 March, 2021\n\n{TITLE}\n{after}")

    assert parsed.entries[0].title == TITLE
    assert parsed.entries[0].summary == ()
    assert [str(d) for d in parsed.diagnostics] == [
        f"a.txt:3: warning: entry '{TITLE}' has no summary"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "2030 Agenda progress reviewed…",
        "2021 was a record year…",
        "On 25 February, 2021, …",
        "12 March, 2021, was the day.",
        "Friday 12 March 2021 at noon",
        "2021-03-12T10:00",
        "March 2021",
        "2021",
    ],
)
def test_a_line_that_only_contains_a_date_is_summary_text(line: str) -> None:
    parsed = parse(f"12 March, 2021\n{TITLE}\n{line}\n")

    assert [(e.title, e.summary) for e in parsed.entries] == [(TITLE, (line,))]
    assert parsed.diagnostics == ()


@pytest.mark.parametrize("title", ["2030 Agenda progress reviewed", "2021 was a record year"])
def test_a_title_may_start_with_a_year(title: str) -> None:
    (entry,) = parse(f"12 March, 2021\n{title}\n{SUMMARY}\n").entries

    assert entry.title == title


def test_entries_keep_file_order_and_diagnostics_are_in_line_order() -> None:
    text = "\x07\n6 March, 2021\nA\nS\n\n31 June 2021\n\n12 March, 2021\nB\n"

    parsed = parse(text)

    assert [e.title for e in parsed.entries] == ["A", "B"]
    assert [d.source.line for d in parsed.diagnostics] == [1, 6, 9]
    assert [d.severity for d in parsed.diagnostics] == ["warning", "error", "warning"]
