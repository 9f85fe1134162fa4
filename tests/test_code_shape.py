"""The code stays easy to find your way in (issue 13): short modules, short functions.

A module of ``feeds/`` or ``webapp/`` has at most 400 lines and a function at most 60,
unless a comment just above it, starting ``# Kept long:``, says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p for package in ("feeds", "webapp") for p in (ROOT / package).rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_modules_are_short(path: Path) -> None:
    assert path.read_text(encoding="utf-8").count("\n") <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_functions_are_short_or_say_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            said_why = _comment_above(lines, first).startswith("# Kept long:")
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES and not said_why:
                long.append(f"{node.name} (line {node.lineno})")
    assert long == []


def _comment_above(lines: list[str], first: int) -> str:
    """The block of comment lines right above line ``first`` (1-based), joined."""
    number = first - 1
    while number >= 1 and lines[number - 1].lstrip().startswith("#"):
        number -= 1
    return " ".join(line.strip() for line in lines[number : first - 1])
