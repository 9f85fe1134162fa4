"""Crash injection and concurrent runs of ``feeds subscribers send`` (issue 16).

The sender is a real process, killed with SIGKILL at random moments while it sends into
a slow SMTP server on loopback; after the kills, one run to the end. Every subscriber
must then have had its digest exactly once: one Message-ID, all its entries. The one
moment no program can close, between the server's "250" after DATA and the database
write that records it, may make the next run hand the same message (same Message-ID,
which mailboxes treat as one) to the server again; those copies are counted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from liveserver import BIN
from loopback import RecordingHandler, smtp_server
from samples import COSTA_RICA, GUYANA, MEXICO, MEXICO_GUATEMALA

from feeds.catalog import CatalogLoader
from feeds.subscriptions import ledger
from feeds.subscriptions.database import open_engine, upgrade
from feeds.subscriptions.links import LinkClaim
from feeds.subscriptions.model import SignUp
from feeds.subscriptions.store import SubscriberStore

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
T0 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
SUBSCRIBERS = 60
KILLS = 6
SELECTIONS = [("all",), ("country/mexico",), ("country/costa-rica", "topic/health"),
              ("topic/labour-migration",), ("region/caribbean", "country/mexico")]  # fmt: skip
#: What each selection set must receive of the new entries, by title.
NEW = MEXICO + COSTA_RICA + MEXICO_GUATEMALA
EXPECTED = {
    ("all",): 3,
    ("country/mexico",): 2,
    ("country/costa-rica", "topic/health"): 1,
    ("topic/labour-migration",): 2,
    ("region/caribbean", "country/mexico"): 2,
}


class SlowHandler(RecordingHandler):
    """Takes each message a little slowly, so that kills land in every phase of a run."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.015)
        return await super().handle_DATA(server, session, envelope)


def populate(database_url: str, archive: Path) -> None:
    engine = open_engine(database_url)
    upgrade(engine)
    store = SubscriberStore(engine)
    upto = ledger.record_appearances(engine, CatalogLoader(archive).load().by_id, T0)
    for number in range(SUBSCRIBERS):
        paths = SELECTIONS[number % len(SELECTIONS)]
        subscriber, _ = store.sign_up(SignUp(f"r{number}@example.org", "daily", paths), T0)
        claim = LinkClaim(subscriber.id, subscriber.link_key, store.confirm_nonce(subscriber.id))
        store.confirm(claim, upto, T0)
    engine.dispose()


def environ(database_url: str, archive: Path, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env.update(
        FEEDS_DATABASE_URL=database_url,
        FEEDS_ARCHIVE=str(archive),
        FEEDS_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        FEEDS_MAIL_FROM="news@example.org",
        FEEDS_SECRET_KEY="crash test secret",
        FEEDS_BASE_URL="https://news.example.org",
    )
    return env


def start_send(env: dict[str, str], at: dt.datetime) -> subprocess.Popen[str]:
    command = [str(BIN / "feeds"), "subscribers", "send", "--at", at.isoformat()]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


def kill_during(
    process: subprocess.Popen[str], handler: RecordingHandler, chance: random.Random
) -> None:
    """SIGKILL once a random number of further messages went out (0: before the first,
    perhaps still loading the archive), a few milliseconds after the last one."""
    target = len(handler.envelopes) + chance.randrange(SUBSCRIBERS // KILLS)
    deadline = time.monotonic() + 60
    while len(handler.envelopes) < target and process.poll() is None:
        assert time.monotonic() < deadline, "the sender made no progress"
        time.sleep(0.002)
    time.sleep(chance.uniform(0, 0.03))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def delivered(handler: RecordingHandler) -> dict[str, dict[str, list[bytes]]]:
    """Recipient → Message-ID → copies received."""
    found: dict[str, dict[str, list[bytes]]] = defaultdict(lambda: defaultdict(list))
    for _, recipients, content in handler.envelopes:
        message = message_from_bytes(content, policy=policy.default)
        for recipient in recipients:
            found[recipient][str(message["Message-ID"])].append(content)
    return found


def entry_titles(content: bytes) -> list[str]:
    message = message_from_bytes(content, policy=policy.default)
    plain = message.get_body(("plain",)).get_content()
    return [line for line in plain.splitlines() if line.startswith("* ")]


def check_exactly_once(handler: RecordingHandler) -> int:
    """Every subscriber: one digest with all its entries. Returns the repeated copies."""
    found = delivered(handler)
    assert len(found) == SUBSCRIBERS
    repeats = 0
    for number in range(SUBSCRIBERS):
        by_id = found[f"r{number}@example.org"]
        assert len(by_id) == 1, f"r{number} got {len(by_id)} different digests"
        (copies,) = by_id.values()
        repeats += len(copies) - 1
        # A resend is the same digest (its links are signed anew, so not the same bytes).
        (titles,) = {tuple(entry_titles(copy)) for copy in copies}
        assert len(titles) == EXPECTED[SELECTIONS[number % len(SELECTIONS)]], number
    return repeats


@pytest.fixture
def world(database_url, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(GUYANA, encoding="utf-8")
    populate(database_url, archive)
    (archive / "b.txt").write_text(NEW, encoding="utf-8")
    handler = SlowHandler()
    with smtp_server(handler) as port:
        yield handler, environ(database_url, archive, port)


def test_killed_at_random_then_rerun_every_digest_goes_exactly_once(world):
    handler, env = world
    seed = int(os.environ.get("CRASH_SEED", time.time()))
    chance = random.Random(seed)
    at = T0 + dt.timedelta(days=1)
    for _ in range(KILLS):
        kill_during(start_send(env, at), handler, chance)
    out = finish(start_send(env, at))
    assert "stopped" not in out
    repeats = check_exactly_once(handler)
    assert repeats <= KILLS, f"seed {seed}: {repeats} repeated copies"
    print(f"crash seed {seed}: {repeats} resent copies after {KILLS} kills")
    # Nothing is pending, and the next day's run has nothing to send.
    assert finish(start_send(env, at + dt.timedelta(days=1))).startswith("0 sent")
    assert len(handler.envelopes) == SUBSCRIBERS + repeats


def test_concurrent_runs_never_send_twice(world):
    handler, env = world
    at = T0 + dt.timedelta(days=1)
    runs = [start_send(env, at) for _ in range(3)]
    outputs = [finish(run) for run in runs]
    assert check_exactly_once(handler) == 0
    assert sum("another send run is in progress" in out for out in outputs) >= 1
