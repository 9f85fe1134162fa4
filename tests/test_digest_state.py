"""The digest state file: atomic, per digest, never silently reset (issue 6)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from feeds.digest.state import DigestRecord, State, load_state, locked, save_state
from feeds.errors import DigestStateError

WHEN = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_a_missing_file_is_an_empty_state(tmp_path: Path) -> None:
    state = load_state(tmp_path / "none.json")

    assert state.get("weekly") == DigestRecord()


def test_saved_state_reads_back_and_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    save_state(path, State().with_sent("weekly", ("g1", "g2"), WHEN))

    # A send records what the feeds showed (``seen``, empty here): issue 14's "new".
    assert load_state(path).get("weekly") == DigestRecord(("g1", "g2"), WHEN, ())
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "weekly": {"sent": ["g1", "g2"], "last_sent": "2026-11-25T09:00:00+01:00", "seen": []}
    }


def test_a_digest_changes_only_its_own_record(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, State().with_sent("daily", ("d1",), WHEN).with_sent("weekly", ("w1",), WHEN))
    later = WHEN + dt.timedelta(days=7)

    save_state(path, load_state(path).with_sent("weekly", ("w2", "w1", "w2"), later))

    state = load_state(path)
    assert state.get("daily") == DigestRecord(("d1",), WHEN, ())
    assert state.get("weekly") == DigestRecord(("w1", "w2"), later, ())


def test_writing_leaves_no_temporary_file_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, State().with_sent("weekly", ("g1",), WHEN))
    path.chmod(0o640)

    save_state(path, load_state(path).with_sent("weekly", ("g2",), WHEN))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    save_state(path, State().with_sent("weekly", ("g1",), WHEN))
    before = path.read_bytes()

    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(DigestStateError, match=r"cannot write the digest state: .*No space"):
        save_state(path, load_state(path).with_sent("weekly", ("g2",), WHEN))

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "Expecting property name"),
        ("[]", "expected an object, found list"),
        ('{"weekly": []}', "expected an object, found list"),
        ('{"weekly": {"sent": "g1"}}', "'sent' must be a list of strings"),
        ('{"weekly": {"sent": [1]}}', "'sent' must be a list of strings"),
        ('{"weekly": {"sent": [], "last_sent": "last week"}}', "Invalid isoformat"),
        ('{"weekly": {"sent": [], "last_sent": "2026-11-25T09:00:00"}}', "needs a time zone"),
    ],
    ids=["syntax", "list", "record-list", "sent-string", "sent-number", "bad-time", "naive"],
)
def test_a_damaged_file_is_an_error_never_a_reset(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DigestStateError) as caught:
        load_state(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: not a digest state file (")
    assert reason in message
    assert "sends every item of the current period again" in message
    assert path.read_text(encoding="utf-8") == content


def test_two_runs_of_one_state_file_do_not_overlap(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    with (
        locked(path),
        pytest.raises(DigestStateError, match="in use by another digest run"),
        locked(path),
    ):
        pass

    with locked(path):  # released again
        assert (tmp_path / "state.json.lock").exists()
