"""One digest run: never twice, never lost (issue 6), with the clock in the test's hand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from loopback import Answer, ScriptedServer

from feeds.digest.fetch import fetch_feed
from feeds.digest.model import DigestSpec
from feeds.digest.run import MAX_ITEMS, MAX_PAGES, Outcome, file_delivery, run_digest
from feeds.digest.state import load_state
from feeds.errors import DigestStateError

MONDAY = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


def atom(*entries: tuple[str, dt.date], next_url: str = "") -> bytes:
    """An Atom feed of ``(id, day)`` entries, optionally with a ``next`` page."""
    items = "".join(
        f"<entry><id>urn:{guid}</id><title>Item {guid}</title>"
        f"<link href='https://news.example/{guid}'/><updated>{day}T00:00:00Z</updated></entry>"
        for guid, day in entries
    )
    link = f"<link rel='next' href='{next_url}'/>" if next_url else ""
    return (
        f"<feed xmlns='http://www.w3.org/2005/Atom'><title>Desk</title><id>urn:f</id>"
        f"<updated>2026-11-23T00:00:00Z</updated>{link}{items}</feed>"
    ).encode()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


class Outbox:
    """A delivery that keeps the messages, as a mailer would."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def __call__(self, messages: Sequence[EmailMessage]) -> str:
        self.messages.extend(messages)
        return "to the outbox"

    def titles(self, index: int = -1) -> list[str]:
        text = self.messages[index].get_body(("plain",))
        assert text is not None
        return [line[2:] for line in text.get_content().splitlines() if line.startswith("* ")]


def spec(server: ScriptedServer, tmp_path: Path, period: str = "weekly") -> DigestSpec:
    return DigestSpec(
        "desk",
        (server.url("/feed"),),
        ("desk@example.org",),
        "news@example.org",
        tmp_path / "state.json",
        period,
    )


def run(spec: DigestSpec, outbox: Outbox, now: dt.datetime) -> Outcome:
    return run_digest(spec, outbox, now=now, fetch=fetch_feed, warn=lambda message: None)


def day(days: int) -> dt.date:
    return (MONDAY + dt.timedelta(days=days)).date()


def test_items_that_appeared_while_sends_failed_are_sent_next_time(
    server: ScriptedServer, tmp_path: Path
) -> None:
    outbox, digest = Outbox(), spec(server, tmp_path)
    server.answers["/feed"] = Answer(atom(("a", day(-1)), ("old", day(-9))))
    assert run(digest, outbox, MONDAY).items == 1
    # The next Monday's run failed (say the SMTP server was down): the Monday after
    # must still send what appeared in between, though it is older than a week by then.
    server.answers["/feed"] = Answer(atom(("c", day(12)), ("b", day(2)), ("a", day(-1))))

    outcome = run(digest, outbox, MONDAY + dt.timedelta(days=14))

    assert (outcome.items, outbox.titles()) == (2, ["Item c", "Item b"])
    assert load_state(digest.state).get("desk").sent == ("urn:a", "urn:c", "urn:b")


def test_a_daily_digest_keeps_yesterdays_items_dated_by_day(
    server: ScriptedServer, tmp_path: Path
) -> None:
    outbox = Outbox()
    server.answers["/feed"] = Answer(
        atom(("today", day(0)), ("yesterday", day(-1)), ("before", day(-2)))
    )

    run(spec(server, tmp_path, "daily"), outbox, MONDAY)

    assert outbox.titles() == ["Item today", "Item yesterday"]


def test_follows_next_pages_while_every_item_is_new(server: ScriptedServer, tmp_path: Path) -> None:
    outbox, digest = Outbox(), spec(server, tmp_path)
    server.answers["/feed"] = Answer(atom(("p1", day(0)), next_url="/feed?page=2"))
    server.answers["/feed?page=2"] = Answer(atom(("p2", day(-1)), next_url="/feed?page=3"))
    server.answers["/feed?page=3"] = Answer(
        atom(("p3", day(-2)), ("old", day(-30)), next_url="/feed?page=4")
    )

    run(digest, outbox, MONDAY)

    assert outbox.titles() == ["Item p1", "Item p2", "Item p3"]
    assert [path for path, _ in server.requests] == ["/feed", "/feed?page=2", "/feed?page=3"]


def test_stops_at_the_first_page_with_an_item_already_sent(
    server: ScriptedServer, tmp_path: Path
) -> None:
    outbox, digest = Outbox(), spec(server, tmp_path)
    server.answers["/feed"] = Answer(atom(("a", day(0))))
    run(digest, outbox, MONDAY)
    server.answers["/feed"] = Answer(atom(("b", day(1)), ("a", day(0)), next_url="/feed?p=2"))

    run(digest, outbox, MONDAY + dt.timedelta(days=1))

    assert outbox.titles() == ["Item b"]
    assert [path for path, _ in server.requests] == ["/feed", "/feed"]


def test_a_feed_whose_pages_loop_is_read_once(server: ScriptedServer, tmp_path: Path) -> None:
    server.answers["/feed"] = Answer(atom(("a", day(0)), next_url="/feed"))

    run(spec(server, tmp_path), Outbox(), MONDAY)

    assert len(server.requests) == 1 < MAX_PAGES


def test_delivered_but_not_recorded_says_so(server: ScriptedServer, tmp_path: Path) -> None:
    digest = spec(server, tmp_path)
    server.answers["/feed"] = Answer(atom(("a", day(0))))
    outbox = Outbox()

    def deliver_then_lose_the_state(message: EmailMessage) -> str:
        where = outbox(message)
        digest.state.mkdir()  # a directory where the file should go: the write fails
        return where

    with pytest.raises(DigestStateError) as caught:
        run_digest(
            digest,
            deliver_then_lose_the_state,
            now=MONDAY,
            fetch=fetch_feed,
            warn=lambda message: None,
        )

    assert str(caught.value).startswith(
        "digest 'desk' was delivered to the outbox, but recording it failed, so the next run "
        "will send its 1 items again: "
    )
    assert len(outbox.messages) == 1


def test_out_file_is_written_whole(server: ScriptedServer, tmp_path: Path) -> None:
    server.answers["/feed"] = Answer(atom(("a", day(0))))
    eml = tmp_path / "out" / "digest.eml"

    outcome = run_digest(
        spec(server, tmp_path),
        file_delivery(eml),
        now=MONDAY,
        fetch=fetch_feed,
        warn=lambda message: None,
    )

    assert str(outcome) == f"digest 'desk': sent 1 new item from 1 feed to {eml}"
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Desk: weekly digest, 16–23 Nov 2026"
    assert sorted(path.name for path in eml.parent.iterdir()) == ["digest.eml"]


def test_a_scheduled_digest_waits_for_its_period(server: ScriptedServer, tmp_path: Path) -> None:
    outbox, digest = Outbox(), spec(server, tmp_path)
    server.answers["/feed"] = Answer(atom(("a", day(0))))
    run_digest(digest, outbox, now=MONDAY, fetch=fetch_feed, warn=print, scheduled=True)
    server.answers["/feed"] = Answer(atom(("b", day(2)), ("a", day(0))))
    before = digest.state.read_bytes()

    thursday = run_digest(
        digest,
        outbox,
        now=MONDAY + dt.timedelta(days=3),
        fetch=fetch_feed,
        warn=print,
        scheduled=True,
    )

    assert str(thursday) == "digest 'desk' is not due until 2026-11-30; nothing sent"
    assert (len(server.requests), digest.state.read_bytes()) == (1, before)
    monday = run_digest(
        digest,
        outbox,
        now=MONDAY + dt.timedelta(days=7),
        fetch=fetch_feed,
        warn=print,
        scheduled=True,
    )
    assert (monday.items, outbox.titles()) == (1, ["Item b"])
    next_monday = run_digest(
        digest,
        outbox,
        now=MONDAY + dt.timedelta(days=14),
        fetch=fetch_feed,
        warn=print,
        scheduled=True,
    )
    assert str(next_monday) == "nothing new for digest 'desk'; nothing sent"


# --- Issue 14 -------------------------------------------------------------------------


def test_new_means_appeared_since_the_last_send_not_dated_since(
    server: ScriptedServer, tmp_path: Path
) -> None:
    outbox, digest = Outbox(), spec(server, tmp_path, "daily")
    server.answers["/feed"] = Answer(atom(("today", day(0)), ("old", day(-5))))
    run(digest, outbox, MONDAY)
    # On Tuesday the feed shows an entry dated Sunday that was not there on Monday.
    server.answers["/feed"] = Answer(atom(("today", day(0)), ("late", day(-1)), ("old", day(-5))))

    outcome = run(digest, outbox, MONDAY + dt.timedelta(days=1))

    assert (outcome.items, outbox.titles()) == (1, ["Item late"])  # not "old": seen Monday


def test_a_feed_title_with_line_breaks_makes_a_one_line_subject(
    server: ScriptedServer, tmp_path: Path
) -> None:
    feed = atom(("a", day(0))).replace(
        b"<title>Desk</title>", b"<title>Desk\r\nBcc: x@evil</title>"
    )
    server.answers["/feed"] = Answer(feed)
    outbox = Outbox()

    run(spec(server, tmp_path), outbox, MONDAY)

    [message] = outbox.messages
    assert message["Subject"].startswith("Desk Bcc: x@evil: weekly digest")
    assert "Bcc" not in message and "\n" not in message["Subject"]


def test_each_recipient_gets_a_message_of_their_own(server: ScriptedServer, tmp_path: Path) -> None:
    server.answers["/feed"] = Answer(atom(("a", day(0))))
    digest = replace(spec(server, tmp_path), to=("a@example.org", "Bea <b@example.org>"))
    outbox = Outbox()

    run(digest, outbox, MONDAY)

    assert [message["To"] for message in outbox.messages] == [
        "a@example.org",
        "Bea <b@example.org>",
    ]
    for message, other in zip(outbox.messages, ("b@example.org", "a@example.org"), strict=True):
        assert other not in message.as_string()  # nobody else's address, anywhere
        text = message.get_body(("plain",)).get_content()
        footer = text.rpartition("\n-- \n")[2]
        assert "@" not in footer and "desk" not in footer  # no address, no internal key


def test_a_huge_feed_is_capped_and_links_to_the_rest(
    server: ScriptedServer, tmp_path: Path
) -> None:
    entries = [(f"n{number}", day(0)) for number in range(MAX_ITEMS + 50)]
    server.answers["/feed"] = Answer(atom(*entries))
    outbox, digest = Outbox(), spec(server, tmp_path)

    outcome = run(digest, outbox, MONDAY)

    assert len(outbox.titles()) == MAX_ITEMS
    text = outbox.messages[0].get_body(("plain",)).get_content()
    assert "… and 50 more new items: " in text
    # Recorded as sent, linked ones too: the digest is never jammed by a big feed.
    assert outcome.items == MAX_ITEMS
    assert run(digest, outbox, MONDAY + dt.timedelta(days=1)).items == 0


def test_a_state_file_dated_in_year_9999_is_a_clear_error(
    server: ScriptedServer, tmp_path: Path
) -> None:
    digest = spec(server, tmp_path)
    digest.state.write_text(
        json.dumps({"desk": {"sent": [], "last_sent": "9999-12-31T23:59:59-12:00"}}),
        encoding="utf-8",
    )

    with pytest.raises(DigestStateError, match=r"was last sent at 9999-12-31T23:59:59-12:00, wh"):
        run(digest, Outbox(), MONDAY)
