"""The ``feeds`` command: ``check`` and ``export`` (issue 2, "Command line")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.cli import main

WriteArchive = Callable[..., Path]
FEEDS = Path(sys.executable).parent / "feeds"

MARCH_12 = "12 March, 2021\nIOM trains Mexicali police\nFirst paragraph.\n\nSecond one.\n\n"
MARCH_6 = "6 March, 2021\nKey staff in El Salvador completed training\nA summary.\n\n"
APRIL_27 = "27 April, 2021\nDominican Republic starts a border card\nA summary.\n\n"
SUMMARY_LINE = re.compile(r"(\d+) entries, (\d+) warning\(s\), (\d+) error\(s\)(?: .*)?")
RECORD_FIELDS = {"id", "guid", "date", "title", "summary", "countries", "topics", "source"}


def summary_counts(stdout: str) -> tuple[int, int, int]:
    """(entries, warnings, errors) from the last line of ``feeds check``."""
    match = SUMMARY_LINE.fullmatch(stdout.splitlines()[-1])
    assert match, stdout
    entries, warnings, errors = match.groups()
    return int(entries), int(warnings), int(errors)


def run_feeds(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FEEDS), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def messy_archive(write_archive: WriteArchive) -> Path:
    """One error (an impossible date) and two warnings (no summary, a duplicate)."""
    return write_archive(
        {
            "a.txt": MARCH_12 + "31 February, 2021\nSkipped\nS\n\n6 March, 2021\nNo summary\n",
            "b.txt": MARCH_12 + APRIL_27,
        }
    )


# --- feeds check ------------------------------------------------------------------------


def test_check_a_clean_archive(real_archive_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", str(real_archive_dir)])

    out, err = capsys.readouterr()
    assert status == 0
    assert out.splitlines()[:-1] == []
    assert summary_counts(out) == (20, 0, 0)
    assert err == ""


def test_check_prints_every_diagnostic_and_fails_on_an_error(
    messy_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", str(messy_archive)])

    out, _err = capsys.readouterr()
    assert status == 1
    assert [line.split(": ", 2)[:2] for line in out.splitlines()[:-1]] == [
        ["a.txt:7", "error"],
        ["a.txt:12", "warning"],
        ["b.txt:1", "warning"],
    ]
    assert summary_counts(out) == (3, 2, 1)


def test_check_passes_with_warnings_only(
    write_archive: WriteArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_archive({"a.txt": "6 March, 2021\nNo summary\n", "b.txt": MARCH_12})

    status = main(["check", str(directory)])

    out, _err = capsys.readouterr()
    assert status == 0
    assert out.splitlines()[0] == "a.txt:2: warning: entry 'No summary' has no summary"
    assert summary_counts(out) == (2, 1, 0)


@pytest.mark.parametrize(
    "argv",
    [[], ["bogus"], ["check", "one", "two"], ["check", "--no-such-option"], ["export", "-x"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    assert exited.value.code == 2
    assert "usage: feeds" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "export"])
@pytest.mark.parametrize(
    ("files", "message"),
    [(None, "does not exist"), ({}, "has no *.txt files"), ({"a.md": MARCH_12}, "has no *.txt")],
)
def test_a_missing_or_empty_directory_exits_2_with_a_message(
    command: str,
    files: dict[str, str] | None,
    message: str,
    write_archive: WriteArchive,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory = tmp_path / "missing" if files is None else write_archive(files)

    status = main([command, str(directory)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.startswith("feeds: error: ")
    assert message in err
    assert str(directory) in err


def test_archive_dir_defaults_to_feeds_archive(
    write_archive: WriteArchive,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FEEDS_ARCHIVE", str(write_archive({"a.txt": MARCH_12 + MARCH_6})))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # no ./archive here

    assert main(["check"]) == 0
    assert summary_counts(capsys.readouterr().out) == (2, 0, 0)


@pytest.mark.parametrize("environment", [None, ""])
def test_archive_dir_defaults_to_dot_archive(
    environment: str | None,
    write_archive: WriteArchive,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_archive({"a.txt": MARCH_12 + MARCH_6 + APRIL_27})  # tmp_path / "archive"
    if environment is None:
        monkeypatch.delenv("FEEDS_ARCHIVE", raising=False)
    else:
        monkeypatch.setenv("FEEDS_ARCHIVE", environment)
    monkeypatch.chdir(tmp_path)

    assert main(["check"]) == 0
    assert summary_counts(capsys.readouterr().out) == (3, 0, 0)


def test_an_explicit_archive_dir_beats_feeds_archive(
    real_archive_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FEEDS_ARCHIVE", str(tmp_path / "missing"))

    assert main(["check", str(real_archive_dir)]) == 0
    assert summary_counts(capsys.readouterr().out) == (20, 0, 0)


def test_check_survives_a_file_name_that_is_not_utf8(
    write_archive: WriteArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        directory = write_archive({os.fsdecode(b"caf\xe9.txt"): "12 March, 2021\nNo summary\n"})
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")

    status = main(["check", str(directory)])

    out, _err = capsys.readouterr()
    assert status == 0
    assert summary_counts(out) == (1, 1, 0)
    assert out.splitlines()[0].endswith(".txt:2: warning: entry 'No summary' has no summary")


# --- feeds export -----------------------------------------------------------------------


def export(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[dict], str]:
    status = main(["export", str(directory)])
    out, err = capsys.readouterr()
    assert status == 0
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()], err


def test_export_writes_one_json_object_per_entry_newest_first(
    write_archive: WriteArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_archive({"a.txt": MARCH_6 + MARCH_12, "sub/b.txt": APRIL_27})

    records, err = export(directory, capsys)

    assert [r["date"] for r in records] == ["2021-04-27", "2021-03-12", "2021-03-06"]
    assert all(set(record) == RECORD_FIELDS for record in records)
    assert {k: v for k, v in records[1].items() if k not in {"countries", "topics"}} == {
        "id": "2021-03-12-iom-trains-mexicali-police",
        "guid": "tag:newsroom.example.org,2021-03-12:entries/iom-trains-mexicali-police",
        "date": "2021-03-12",
        "title": "IOM trains Mexicali police",
        "summary": "First paragraph.\n\nSecond one.",
        "source": "a.txt:5",
    }
    assert records[0]["source"] == "sub/b.txt:1"
    assert err == ""


def test_export_puts_diagnostics_on_stderr_and_only_json_on_stdout(
    messy_archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, err = export(messy_archive, capsys)

    assert [r["title"] for r in records] == [
        "Dominican Republic starts a border card",
        "IOM trains Mexicali police",
        "No summary",
    ]
    assert records[2]["summary"] == ""
    assert [line.split(": ", 2)[:2] for line in err.splitlines()] == [
        ["a.txt:7", "error"],
        ["a.txt:12", "warning"],
        ["b.txt:1", "warning"],
    ]


def test_export_of_the_real_archive(
    real_archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _err = export(real_archive_dir, capsys)

    assert len(records) == 20
    assert len({r["id"] for r in records}) == 20
    assert [r["date"] for r in records] == sorted((r["date"] for r in records), reverse=True)
    assert records[0]["title"] == (
        "Dominican Republic starts pilot design of border inhabitant card to identify "
        "merchants on the border with Haiti"
    )
    for record in records:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"])
        assert re.fullmatch(r"2021-0[2-4]-to-0[3-4]-press-releases\.txt:\d+", record["source"])
        assert record["summary"] and "\u00a0" not in record["summary"]
        assert all(re.fullmatch(r"[A-Z]{2}", code) for code in record["countries"])
        assert record["countries"] == sorted(record["countries"])
        assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in record["topics"])
    assert any(record["countries"] for record in records)


# --- The installed console script -------------------------------------------------------


def test_console_script_is_installed() -> None:
    assert FEEDS.is_file(), f"run: {sys.executable} -m pip install -e ."


def test_console_script_check_and_export(real_archive_dir: Path) -> None:
    check = run_feeds("check", str(real_archive_dir))
    exported = run_feeds("export", env={"FEEDS_ARCHIVE": str(real_archive_dir)})

    assert (check.returncode, check.stderr) == (0, "")
    assert summary_counts(check.stdout) == (20, 0, 0)
    assert exported.returncode == 0
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 20
    assert all(set(record) == RECORD_FIELDS for record in records)


def test_console_script_exit_statuses(messy_archive: Path, tmp_path: Path) -> None:
    with_error = run_feeds("check", str(messy_archive))
    missing = run_feeds("check", str(tmp_path / "missing"))
    usage = run_feeds("check", "one", "two")

    assert with_error.returncode == 1
    assert summary_counts(with_error.stdout) == (3, 2, 1)
    assert missing.returncode == 2
    assert missing.stderr.startswith("feeds: error: archive directory")
    assert usage.returncode == 2
    assert "usage: feeds" in usage.stderr
    for result in (with_error, missing, usage):
        assert "Traceback" not in result.stdout + result.stderr


def test_console_script_export_into_a_closed_pipe(write_archive: WriteArchive) -> None:
    # `feeds export | head -n 1`: the reader goes away; no traceback, no error status.
    entries = "".join(
        f"{day} March, 2021\nEntry {n} on day {day}\n{'A long summary. ' * 40}\n\n"
        for n, day in enumerate([*range(1, 29)] * 20)
    )
    directory = write_archive({"a.txt": entries})

    with subprocess.Popen(
        [str(FEEDS), "export", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = json.loads(process.stdout.readline())
        process.stdout.close()
        err = process.stderr.read()
        status = process.wait(timeout=60)

    assert first["date"] == "2021-03-28"
    assert status == 0
    assert "Traceback" not in err
