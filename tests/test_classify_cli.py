"""``feeds why`` and ``feeds evaluate`` through the command line (issue 18)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.cli import main

WriteArchive = Callable[..., Path]

ARCHIVE = (
    "6 March, 2021\n\n"
    "IOM trained Mexicali municipal police to better protect migrant children\n\n"
    "This event strengthened the capacities of police personnel in Mexicali. "
    "The Embassy of the United States supported it. "
    "It was held in Georgetown, with drug trafficking and women on the agenda.\n"
)
OVERRIDES = """\
["{id}"]
add_topics = ["integration"]
remove_countries = ["mexico"]
note = "for the test"
"""


def entry_id(directory: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["export", str(directory)]) == 0
    record: dict[str, str] = json.loads(capsys.readouterr().out.splitlines()[0])
    return record["id"]


def test_why_explains_tags_rejections_and_overrides(
    write_archive: WriteArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_archive({"a.txt": ARCHIVE})
    found = entry_id(directory, capsys)
    write_archive({"overrides.toml": OVERRIDES.format(id=found)})
    assert main(["why", found, "--archive", str(directory)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == found
    assert lines[1] == "countries: MX"
    assert "  MX Mexico: “Mexicali” in title (names it)" in lines
    assert (
        "    “Embassy of the United States” (may be US) in ¶1, sentence 2: "
        "after “Embassy of the”: not named elsewhere"
    ) in lines
    assert (
        "    “Georgetown” (may be BZ, CA, GY, US, VC) in ¶1, sentence 3: "
        "ambiguous name without its country"
    ) in lines
    assert "topics: capacity-building, children, protection" in lines
    assert "    gender scores 1, below 2: “women” in ¶1, sentence 3 +1" in lines
    assert "    “drug trafficking” in ¶1, sentence 3: ignore phrase, counts for no topic" in lines
    assert "override: add topic integration (overrides.toml:2)" in lines
    assert "override: remove country mexico (overrides.toml:3)" in lines
    assert "after overrides: countries (none); topics capacity-building, children, " \
        "integration, protection" in lines  # fmt: skip


def test_why_an_unknown_entry(
    write_archive: WriteArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_archive({"a.txt": ARCHIVE})
    assert main(["why", "2021-03-06-nothing", "--archive", str(directory)]) == 2
    assert "feeds: error: no entry '2021-03-06-nothing' in" in capsys.readouterr().err


def test_evaluate_prints_each_split(capsys: pytest.CaptureFixture[str]) -> None:
    corpus = Path(__file__).parent / "data" / "corpus" / "releases.jsonl"
    assert main(["evaluate", str(corpus), "--mistakes", "none"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["learn", "test"]
    assert all("countries exact" in line and " F1 " in line for line in lines)


def test_evaluate_lists_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {
        "id": "c001", "date": "2018-01-05", "title": "IOM trains officials in Panama",
        "summary": ["A workshop in Panama City."], "url": "https://example.org/",
        "countries": ["CR"], "topics": ["capacity-building"], "notes": "", "split": "learn",
    }  # fmt: skip
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["evaluate", str(corpus)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "learn: 1 items, countries exact 0.000, topics precision 1.000 recall 1.000 F1 1.000",
        "  c001 countries +PA -CR  (IOM trains officials in Panama)",
    ]


def test_evaluate_a_bad_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text("{}\n", encoding="utf-8")
    assert main(["evaluate", str(corpus)]) == 2
    assert f"feeds: error: {corpus}:1: missing id" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "none.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
