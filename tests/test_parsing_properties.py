"""Property-based tests of the parser (issue 2): it never raises, and junk stays local."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from samples import merge_files

from feeds.archive.dates import parse_date_line
from feeds.archive.decoding import decode_archive_bytes
from feeds.archive.ids import entry_slug
from feeds.archive.parsing import ParsedText, parse_text

PROPERTY = settings(max_examples=200, deadline=None)
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
SPACES = st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u202f", " \t\u00a0"])
# Characters that match month letters under case-insensitive matching ("ſ" ~ "s", "ı" ~ "i").
LOOKALIKES = {"s": "ſ", "i": "ı", "I": "İ", "k": "\u212a"}
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")


# --- Strategies -------------------------------------------------------------------------


def format_date(date: dt.date, shape: int, case: str) -> str:
    month = MONTHS[date.month - 1]
    text = [
        f"{date.day} {month}, {date.year:04d}",
        f"{date.day} {month} {date.year:04d}",
        f"{month} {date.day}, {date.year:04d}",
        date.isoformat(),
    ][shape]
    return {"upper": text.upper(), "lower": text.lower()}.get(case, text)


def with_lookalikes(text: str, positions: list[int]) -> str:
    chars = list(text)
    for position in positions:
        index = position % len(chars)
        chars[index] = LOOKALIKES.get(chars[index], chars[index])
    return "".join(chars)


# Well-formed entries: dates the parser accepts (feeds.archive.dates.EARLIEST_YEAR onwards).
dates = st.dates(dt.date(1970, 1, 1), dt.date(2100, 12, 31))
date_lines = st.builds(
    format_date, dates, st.integers(0, 3), st.sampled_from(["as is", "upper", "lower"])
)
impossible_date_lines = st.builds(
    "{} {}, {}".format,
    st.integers(31, 39),
    st.sampled_from(["February", "April", "June", "September", "November"]),
    st.integers(1900, 2100),
)
lookalike_date_lines = st.builds(with_lookalikes, date_lines, st.lists(st.integers(0, 40)))
tricky_lines = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "2030 Agenda progress reviewed…",
        "2021 was a record year…",
        "On 25 February, 2021, …",
        "\x00",
        "\x0c",
        "\ufeff",
        "\u200b",
        "\u2028",
        "\x85",
    ]
)
junk_lines = st.one_of(
    st.text(st.characters(exclude_characters="\r\n"), max_size=40),
    date_lines,
    impossible_date_lines,
    lookalike_date_lines,
    tricky_lines,
)
archive_like_texts = st.builds(
    lambda lines, newline: newline.join(lines), st.lists(junk_lines, max_size=30), NEWLINES
)
# Printable characters the parser keeps as they are (no controls, spaces or invisibles).
words = st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=10)
text_lines = (
    st.lists(words, min_size=1, max_size=6)
    .map(" ".join)
    .filter(lambda line: parse_date_line(line) is None)
)


@dataclass(frozen=True)
class WellFormed:
    """An entry as the newsroom would write it, and what the parser must make of it."""

    lines: list[str]
    date: dt.date
    title: str
    summary: tuple[str, ...]


@st.composite
def well_formed_entries(draw: st.DrawFn) -> WellFormed:
    date = draw(dates)
    title = draw(text_lines)
    paragraphs = draw(st.lists(st.lists(text_lines, min_size=1, max_size=3), max_size=3))

    def blanks(least: int) -> list[str]:
        return draw(st.lists(SPACES, min_size=least, max_size=least + 2))

    def pad(line: str) -> str:
        return draw(SPACES) + line.replace(" ", draw(SPACES) or " ") + draw(SPACES)

    case = draw(st.sampled_from(["as is", "upper", "lower"]))
    lines = [pad(format_date(date, draw(st.integers(0, 3)), case))]
    lines += [*blanks(0), pad(title)]
    for paragraph in paragraphs:
        lines += [*blanks(1), *map(pad, paragraph)]
    lines += blanks(0)
    summary = tuple(" ".join(paragraph) for paragraph in paragraphs)
    return WellFormed(lines, date, title, summary)


# --- Properties -------------------------------------------------------------------------


def line_count(text: str) -> int:
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def assert_well_shaped(parsed: ParsedText, lines: int) -> None:
    """What any parse must look like, whatever the input."""
    for entry in parsed.entries:
        assert entry.title
        for text in (entry.title, *entry.summary):
            assert text == " ".join(text.split())
            assert not CONTROLS.search(text)
        assert 1 <= entry.source.line <= lines
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+", entry.id)
        assert entry.guid.startswith("tag:newsroom.example.org,")
    for diagnostic in parsed.diagnostics:
        assert diagnostic.severity in {"error", "warning"}
        assert 1 <= diagnostic.source.line <= lines
        assert str(diagnostic).startswith(f"a.txt:{diagnostic.source.line}: ")


@given(st.one_of(st.text(), archive_like_texts))
@PROPERTY
def test_parser_never_raises_on_any_text(text: str) -> None:
    assert_well_shaped(parse_text(text, "a.txt"), line_count(text))


@given(
    st.one_of(
        st.binary(),
        st.builds(
            bytes.__add__, st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE]), st.binary()
        ),
        st.builds(
            lambda text, encoding: text.encode(encoding, errors="replace"),
            archive_like_texts,
            st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
        ),
    )
)
@PROPERTY
def test_decoding_and_parsing_never_raise_on_any_bytes(data: bytes) -> None:
    text, diagnostics = decode_archive_bytes(data, "a.txt")

    parsed = parse_text(text, "a.txt")

    assert isinstance(text, str)
    assert all(d.severity == "warning" for d in diagnostics)
    assert_well_shaped(parsed, line_count(text))


@given(
    before=st.lists(junk_lines, max_size=12),
    entry=well_formed_entries(),
    next_date_line=st.one_of(date_lines, impossible_date_lines),
    after=st.lists(junk_lines, max_size=12),
    newline=NEWLINES,
)
@PROPERTY
def test_a_well_formed_entry_survives_junk_elsewhere_in_the_file(
    before: list[str], entry: WellFormed, next_date_line: str, after: list[str], newline: str
) -> None:
    text = newline.join([*before, *entry.lines, next_date_line, *after])

    parsed = parse_text(text, "a.txt")

    found = [
        (e.date, e.title, e.summary) for e in parsed.entries if e.source.line == len(before) + 1
    ]
    assert found == [(entry.date, entry.title, entry.summary)]


@given(st.lists(well_formed_entries(), min_size=1, max_size=3), NEWLINES)
@PROPERTY
def test_line_endings_and_repetition_do_not_change_the_archive(
    entries: list[WellFormed], newline: str
) -> None:
    lines = [line for entry in entries for line in entry.lines]
    once = parse_text("\n".join(lines), "a.txt")
    twice = parse_text(newline.join(lines + lines), "a.txt")

    kept_once, _ = merge_files([("a.txt", once.entries, once.diagnostics)])
    kept_twice, _ = merge_files([("a.txt", twice.entries, twice.diagnostics)])
    assert [(e.id, e.summary) for e in kept_twice] == [(e.id, e.summary) for e in kept_once]
    assert {e.id for e in kept_once} == {entry_slug(e.date, e.title) for e in entries}
