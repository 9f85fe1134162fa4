"""The editable TOML data files: reading them, and finding the line an editor must fix.

tomllib keeps no positions: a syntax error carries its line only inside its message, and
parsed values carry none. Diagnostics must still say ``path:line`` (issue 3), so the
lines of tables and values are found by scanning the raw text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from feeds.errors import DataFileError

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")


def parse_toml(text: str) -> tuple[dict[str, Any], str, int]:
    """``(data, "", 0)``, or ``({}, message, line)`` when ``text`` is not valid TOML."""
    try:
        return tomllib.loads(text), "", 0
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        message = _AT_LINE.sub("", str(exc)).strip()
        if found and found.group(1):
            line = int(found.group(1))
        else:  # "at end of document": an unclosed list or string
            line = text.count("\n") + 1 if found else 1
        return {}, f"invalid TOML: {message}", line


def read_toml(path: Path, display: str | None = None) -> tuple[dict[str, Any], str]:
    """The parsed file and its text; a bad file raises :class:`DataFileError` with its line."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{shown}: cannot read: {exc}") from exc
    data, message, line = parse_toml(text)
    if message:
        raise DataFileError(f"{shown}:{line}: {message}")
    return data, text


def line_of(text: str, needle: str, start: int = 1) -> int:
    """1-based line of the first ``needle`` at or after line ``start``; ``start`` if absent."""
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return start
