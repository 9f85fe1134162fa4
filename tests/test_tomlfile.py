"""Reading the editable TOML files and locating lines for diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.errors import DataFileError
from feeds.tomlfile import line_of, parse_toml, read_toml


@pytest.mark.parametrize(
    ("text", "line"),
    [("a = 1\nb = \n", 2), ("[x]\n[x]\n", 2), ("= 1\n", 1), ("a = [\n", 2)],
)
def test_parse_toml_reports_the_line(text: str, line: int) -> None:
    data, message, found = parse_toml(text)
    assert (data, found) == ({}, line)
    assert message.startswith("invalid TOML: ")
    assert "line" not in message  # the line is given apart, not repeated


def test_parse_toml_of_good_text() -> None:
    assert parse_toml('a = "b"') == ({"a": "b"}, "", 0)


def test_read_toml_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("ok = 1\nbad\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"^shown\.toml:2: invalid TOML"):
        read_toml(path, "shown.toml")


def test_read_toml_of_an_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(b"a = '\xff'\n")
    with pytest.raises(DataFileError, match="cannot read"):
        read_toml(path)


@pytest.mark.parametrize(
    ("needle", "start", "line"),
    [("b", 1, 2), ("a", 2, 3), ("zzz", 2, 2), ("c", 1, 1)],
)
def test_line_of(needle: str, start: int, line: int) -> None:
    assert line_of("c\nb\na\n", needle, start) == line
