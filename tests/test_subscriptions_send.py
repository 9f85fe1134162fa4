"""``feeds subscribers send`` into a real SMTP server (aiosmtpd on loopback), on SQLite
and on PostgreSQL: one message per subscriber, each entry once, refusals, due days."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from loopback import RecordingHandler, smtp_server
from samples import COSTA_RICA, GUYANA, MEXICO, MEXICO_GUATEMALA, entry_text
from sqlalchemy import Engine

from feeds.catalog import Catalog, CatalogLoader
from feeds.digest.compose import MAX_ITEMS
from feeds.subscriptions import ledger
from feeds.subscriptions.database import open_engine, upgrade
from feeds.subscriptions.links import LinkClaim, LinkSigner
from feeds.subscriptions.message import Body, prepared_message
from feeds.subscriptions.model import SUSPENDED, SignUp, Subscriber
from feeds.subscriptions.sender import RunReport, run_send
from feeds.subscriptions.settings import MailSettings, parse_smtp_url
from feeds.subscriptions.store import SubscriberStore

T0 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SECRET = "test secret"
BASE = "https://news.example.org"


class Setup:
    def __init__(self, database_url: str, archive: Path, smtp_port: int) -> None:
        self.engine: Engine = open_engine(database_url)
        upgrade(self.engine)
        self.archive = archive
        self.store = SubscriberStore(self.engine)
        self.settings = MailSettings(
            database_url=database_url,
            smtp=parse_smtp_url(f"smtp://127.0.0.1:{smtp_port}"),
            sender="Newsroom <news@example.org>",
            secret_key=SECRET,
            base_url=BASE,
        )

    def catalog(self) -> Catalog:
        return CatalogLoader(self.archive).load()

    def subscribe(self, address: str, paths: tuple[str, ...], period: str = "daily",
                  at: dt.datetime = T0) -> Subscriber:  # fmt: skip
        subscriber, _ = self.store.sign_up(SignUp(address, period, paths), at)
        upto = ledger.record_appearances(self.engine, self.catalog().by_id, at)
        nonce = self.store.confirm_nonce(subscriber.id)
        return self.store.confirm(LinkClaim(subscriber.id, subscriber.link_key, nonce), upto, at)

    def add(self, name: str, text: str) -> None:
        (self.archive / name).write_text(text, encoding="utf-8")

    def send(self, at: dt.datetime) -> RunReport:
        return run_send(self.engine, self.catalog(), self.settings, at)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler(reject=frozenset({"gone@example.org"}))


@pytest.fixture
def setup(database_url, write_archive, handler):
    archive = write_archive({"a.txt": GUYANA})
    with smtp_server(handler) as port:
        made = Setup(database_url, archive, port)
        yield made
        made.engine.dispose()


def plain(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def titles(message: EmailMessage) -> list[str]:
    text = plain(message)
    return re.findall(r"^\* (.+)$", text, re.MULTILINE)


def test_each_subscriber_gets_one_message_with_what_appeared_in_its_selections(setup, handler):
    setup.subscribe("mx@example.org", ("country/mexico",))
    setup.subscribe("both@example.org", ("topic/labour-migration", "country/costa-rica"))
    setup.add("b.txt", MEXICO + COSTA_RICA + MEXICO_GUATEMALA)
    report = setup.send(T0 + DAY)
    assert report.sent == 2
    by_to = {str(m["To"]): m for m in handler.messages}
    assert set(by_to) == {"mx@example.org", "both@example.org"}
    assert [to for _, to, _ in handler.envelopes] in (
        [["mx@example.org"], ["both@example.org"]],
        [["both@example.org"], ["mx@example.org"]],
    )
    assert titles(by_to["mx@example.org"]) == [
        "Mexico hosts forum on labour migration",
        "Mexico and Guatemala sign a labour migration agreement",
    ]
    both = by_to["both@example.org"]
    # Grouped by selection (in the stored order), each entry once.
    text = plain(both)
    assert text.index("Costa Rica\n---") < text.index("Labour migration\n---")
    assert len(titles(both)) == 3
    assert both.get_body(("html",)).get_content().count("Mexico hosts forum") == 1


def test_headers_links_and_one_click_unsubscribe(setup, handler):
    subscriber = setup.subscribe("mx@example.org", ("country/mexico",))
    setup.add("b.txt", MEXICO)
    setup.send(T0 + DAY)
    (message,) = handler.messages
    unsubscribe, mailto = re.findall(r"<([^>]+)>", str(message["List-Unsubscribe"]))
    assert unsubscribe.startswith(f"{BASE}/subscribe/unsubscribe/")
    assert mailto == "mailto:news@example.org?subject=unsubscribe"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    signer = LinkSigner(SECRET)
    claim = signer.read("unsubscribe", unsubscribe.rsplit("/", 1)[1])
    assert claim == LinkClaim(subscriber.id, subscriber.link_key)
    text = plain(message)
    manage = re.search(rf"^{BASE}/subscribe/manage/(\S+)$", text, re.MULTILINE)
    assert manage and signer.read("manage", manage[1]).subscriber_id == subscriber.id
    assert unsubscribe in text
    assert message.get_content_type() == "multipart/alternative"
    # The HTML part's links, quoted-printable after rendering, decode whole.
    html = message.get_body(("html",)).get_content()
    hrefs = [h.strip() for h in re.findall(r'href="([^"]+)"', html) if "/subscribe/" in h]
    assert hrefs == [f"{BASE}/subscribe/manage/{manage[1]}", unsubscribe]
    raw = handler.envelopes[0][2]
    body_lines = raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n")
    assert [line for line in body_lines if len(line) > 76] == []  # RFC 2045 section 6.7
    assert max(map(len, raw.split(b"\r\n"))) <= 998  # RFC 5322 section 2.1.1


def test_never_twice_and_nothing_from_before_the_subscription(setup, handler):
    setup.add("b.txt", COSTA_RICA)  # in the archive before anybody subscribes
    setup.subscribe("all@example.org", ("all",))
    assert setup.send(T0 + DAY).sent == 0
    setup.add("c.txt", MEXICO)
    assert setup.send(T0 + 2 * DAY).sent == 1
    assert setup.send(T0 + 3 * DAY).sent == 0
    (message,) = handler.messages
    assert titles(message) == ["Mexico hosts forum on labour migration"]


def test_weekly_subscribers_wait_a_week_and_miss_nothing(setup, handler):
    setup.subscribe("week@example.org", ("all",), period="weekly")
    setup.add("b.txt", MEXICO)
    assert setup.send(T0 + DAY).sent == 1  # the first digest goes as soon as there is news
    setup.add("c.txt", COSTA_RICA)
    assert setup.send(T0 + 3 * DAY).sent == 0
    setup.add("d.txt", MEXICO_GUATEMALA)
    assert setup.send(T0 + 8 * DAY).sent == 1
    assert len(titles(handler.messages[-1])) == 2


def test_temporary_refusals_are_retried_and_permanent_ones_suspend(setup, handler):
    setup.subscribe("gone@example.org", ("all",))
    setup.subscribe("later@example.org", ("all",))
    refusals = iter(["451 4.3.0 try later"])

    original = handler.handle_RCPT

    async def rcpt(server, session, envelope, address, options):
        if address == "later@example.org":
            answer = next(refusals, None)
            if answer:
                return answer
        return await original(server, session, envelope, address, options)

    handler.handle_RCPT = rcpt
    setup.add("b.txt", MEXICO)
    first = setup.send(T0 + DAY)
    assert (first.sent, first.deferred, first.refused) == (0, 1, 1)
    second = setup.send(T0 + DAY + dt.timedelta(hours=1))
    assert (second.sent, second.refused) == (1, 1)
    third = setup.send(T0 + DAY + dt.timedelta(hours=2))
    assert (third.refused, third.suspended) == (1, 1)
    assert setup.store.by_address("gone@example.org").status == SUSPENDED
    assert setup.send(T0 + 2 * DAY).refused == 0
    assert [str(m["To"]) for m in handler.messages] == ["later@example.org"]


def test_an_unreachable_server_sends_nothing_and_the_next_run_catches_up(setup, handler):
    setup.subscribe("mx@example.org", ("country/mexico",))
    setup.add("b.txt", MEXICO)
    down = dataclasses.replace(setup.settings, smtp=parse_smtp_url("smtp://127.0.0.1:9"))
    report = run_send(setup.engine, setup.catalog(), down, T0 + DAY)
    assert report.failure and report.sent == 0
    assert ledger.unsent(setup.engine) == []
    assert setup.send(T0 + DAY).sent == 1
    assert len(handler.messages) == 1


def test_a_digest_perhaps_delivered_stays_claimed_until_it_goes_with_its_message_id(setup, handler):
    """An earlier run lost the reply to DATA (claimed, state ``sending``); a run that then
    cannot reach the server must not give the claim back, or the next would claim the
    same entries anew and send them under another Message-ID."""
    subscriber = setup.subscribe("mx@example.org", ("country/mexico",))
    setup.add("b.txt", MEXICO)
    upto = ledger.record_appearances(setup.engine, setup.catalog().by_id, T0 + DAY)
    (claimed,) = ledger.claim(setup.engine, [(subscriber, "<lost.1@example.org>")], upto, T0)
    down = dataclasses.replace(setup.settings, smtp=parse_smtp_url("smtp://127.0.0.1:9"))

    assert run_send(setup.engine, setup.catalog(), down, T0 + DAY).failure

    assert [p.message_id for p in ledger.unsent(setup.engine)] == [claimed.message_id]
    assert setup.send(T0 + DAY).resent == 1
    assert [m["Message-ID"] for m in handler.messages] == ["<lost.1@example.org>"]
    assert setup.send(T0 + 2 * DAY).sent == 0
    assert len(handler.messages) == 1


def test_paused_and_pending_subscribers_get_nothing(setup, handler):
    paused = setup.subscribe("paused@example.org", ("all",))
    setup.store.set_paused(paused.id, True)
    setup.store.sign_up(SignUp("pending@example.org", "daily", ("all",)), T0)
    setup.add("b.txt", MEXICO)
    assert setup.send(T0 + DAY).sent == 0
    setup.store.set_paused(paused.id, False)
    assert setup.send(T0 + DAY).sent == 1  # what appeared while paused is not lost


def test_the_command_says_what_is_missing(monkeypatch, capsys):
    from feeds.cli import main

    for name in ("FEEDS_BASE_URL", "FEEDS_SMTP_URL", "FEEDS_MAIL_FROM", "FEEDS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["subscribers", "send"]) == 2
    error = capsys.readouterr().err
    assert "FEEDS_BASE_URL (links in messages are absolute)" in error


def test_a_refused_message_is_not_a_refused_address(setup, handler):
    setup.subscribe("mx@example.org", ("country/mexico",))
    original = handler.handle_DATA

    async def refuse(server, session, envelope):
        return "554 5.6.0 content rejected"

    handler.handle_DATA = refuse
    setup.add("b.txt", MEXICO)
    report = setup.send(T0 + DAY)
    assert (report.sent, report.refused, report.deferred) == (0, 0, 1)
    assert setup.store.by_address("mx@example.org").bounces == 0
    handler.handle_DATA = original
    assert setup.send(T0 + DAY).sent == 1


def test_a_digest_past_the_cap_links_to_the_rest(setup, handler):
    setup.subscribe("mx@example.org", ("country/mexico",))
    many = "".join(
        entry_text(f"{1 + n % 28} March, 2021", f"Mexico opens information hub number {n}",
                   "The hub in Mexico helps migrants.")
        for n in range(MAX_ITEMS + 5)
    )  # fmt: skip
    setup.add("many.txt", many)
    assert setup.send(T0 + DAY).sent == 1
    (message,) = handler.messages
    assert len(titles(message)) == MAX_ITEMS
    assert f"… and 5 more new items: {BASE}/country/mexico" in plain(message)
    assert "… and 5 more new items" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("one_click", [True, False])
def test_one_click_only_for_an_https_link_and_the_subject_on_one_line(one_click):
    body = Body("Newsroom\r\nBcc: victim@example.org — Mexico", "Text.\n", "<p>Text.</p>\n")
    data = prepared_message(body, sender="News <news@example.org>", now=T0, one_click=one_click)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "Newsroom Bcc: victim@example.org — Mexico"
    assert message["Bcc"] is None
    assert ("List-Unsubscribe-Post" in message) is one_click
    assert "List-Unsubscribe" in message
