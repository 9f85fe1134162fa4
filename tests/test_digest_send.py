"""Handing a digest to an SMTP server: every recipient or none (issue 6)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from liveserver import HOST, free_port
from loopback import Answer, RecordingHandler, ScriptedServer, smtp_server

from feeds.digest.fetch import fetch_feed
from feeds.digest.message import build_message
from feeds.digest.model import Digest, DigestItem, DigestSpec, FeedSection, Window
from feeds.digest.run import MAX_ITEMS, run_digest, smtp_delivery
from feeds.digest.send import (
    DATA_REPLY_TIMEOUT,
    MessageTooLarge,
    SmtpSettings,
    send_message,
    send_messages,
)
from feeds.errors import DigestSendError

DAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC)


def message(*to: str) -> Any:
    item = DigestItem("g1", "Title", "https://news.example/1", DAY, "Summary.", "Newsroom")
    digest = Digest(
        "daily",
        "Newsroom: daily digest",
        Window(DAY, DAY, "daily"),
        (FeedSection("Newsroom", "https://news.example/", (item,)),),
    )
    return build_message(
        digest,
        sender="Newsroom <news@news.example>",
        to=", ".join(to),  # one message to several: the envelope's all-or-none rule
        now=dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC),
    )


def test_the_server_gets_the_envelope_and_the_message() -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        send_message(message("a@example.org", "Bea <b@example.org>"), SmtpSettings(HOST, port))

    [(sender, recipients, content)] = handler.envelopes
    assert (sender, recipients) == ("news@news.example", ["a@example.org", "b@example.org"])
    assert b"Subject: Newsroom: daily digest" in content


def test_one_refused_recipient_means_nobody_gets_it() -> None:
    handler = RecordingHandler(reject=frozenset({"gone@example.org"}))
    with smtp_server(handler) as port, pytest.raises(DigestSendError) as caught:
        send_message(message("a@example.org", "gone@example.org"), SmtpSettings(HOST, port))

    assert str(caught.value) == (
        f"SMTP server {HOST}:{port} refused gone@example.org (550 5.1.1 no such mailbox "
        "here); the digest was sent to nobody"
    )
    assert handler.envelopes == []


def test_a_closed_port_is_a_clear_error() -> None:
    port = free_port()

    with pytest.raises(
        DigestSendError, match=f"^cannot connect to SMTP server {HOST}:{port}: connection refused$"
    ):
        send_message(message("a@example.org"), SmtpSettings(HOST, port, timeout=2))


def test_starttls_that_the_server_does_not_offer_is_refused_not_skipped() -> None:
    with (
        smtp_server(RecordingHandler()) as port,
        pytest.raises(DigestSendError, match="does not offer STARTTLS"),
    ):
        send_message(message("a@example.org"), SmtpSettings(HOST, port, starttls=True))


def _only_digests_with_s3cret(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"digests",
        b"s3cret",
    )
    return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.mark.parametrize(("password", "accepted"), [("s3cret", True), ("wrong", False)])
def test_login(password: str, accepted: bool) -> None:
    handler = RecordingHandler()
    auth = {"authenticator": _only_digests_with_s3cret, "auth_require_tls": False}
    with smtp_server(handler, **auth) as port:
        settings = SmtpSettings(HOST, port, user="digests", password=password, timeout=5)
        if accepted:
            send_message(message("a@example.org"), settings)
        else:
            with pytest.raises(DigestSendError, match="refused the login of 'digests': 535"):
                send_message(message("a@example.org"), settings)

    assert len(handler.envelopes) == int(accepted)


# --- Issue 14 -------------------------------------------------------------------------


def test_each_message_goes_in_its_own_envelope() -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        send_messages(
            [message("a@example.org"), message("Bea <b@example.org>")], SmtpSettings(HOST, port)
        )

    assert [recipients for _, recipients, _ in handler.envelopes] == [
        ["a@example.org"],
        ["b@example.org"],
    ]


def test_a_refused_recipient_of_a_later_message_means_nobody_gets_any() -> None:
    handler = RecordingHandler(reject=frozenset({"gone@example.org"}))
    with smtp_server(handler) as port, pytest.raises(DigestSendError, match="sent to nobody"):
        send_messages(
            [message("a@example.org"), message("gone@example.org")], SmtpSettings(HOST, port)
        )

    assert handler.envelopes == []


def test_a_message_over_the_servers_size_is_refused_before_data() -> None:
    handler = RecordingHandler()
    with (
        smtp_server(handler, data_size_limit=2000) as port,
        pytest.raises(MessageTooLarge, match="takes messages of at most 2000 bytes") as caught,
    ):
        send_message(message("a@example.org"), SmtpSettings(HOST, port))

    assert caught.value.limit == 2000
    assert handler.envelopes == []


class SlowToReply(RecordingHandler):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(2)  # longer than the socket timeout below
        return await super().handle_DATA(server, session, envelope)


def test_the_reply_to_data_is_awaited_longer_than_the_socket_timeout() -> None:
    handler = SlowToReply()
    with smtp_server(handler) as port:
        send_message(message("a@example.org"), SmtpSettings(HOST, port, timeout=1))

    assert len(handler.envelopes) == 1
    assert DATA_REPLY_TIMEOUT == 600  # RFC 5321 section 4.5.3.2.6


def test_a_digest_shrinks_to_the_size_the_server_takes(tmp_path: Path) -> None:
    summary = "A long summary of the kind press releases have. " * 40  # about 2 KB
    entries = "".join(
        f"<entry><id>urn:{n}</id><title>Item {n}</title><updated>2026-11-25T00:00:00Z</updated>"
        f"<summary>{summary}</summary></entry>"
        for n in range(300)
    )
    feed = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>Big</title><id>urn:f</id>{entries}</feed>"
    handler = RecordingHandler()
    with ScriptedServer() as web, smtp_server(handler, data_size_limit=150_000) as port:
        web.answers["/feed"] = Answer(feed.encode())
        spec = DigestSpec(
            "big", (web.url("/feed"),), ("a@example.org",), "news@news.example",
            tmp_path / "state.json", "weekly",
        )  # fmt: skip
        outcome = run_digest(
            spec, smtp_delivery(SmtpSettings(HOST, port)), now=NOW, fetch=fetch_feed,
            warn=lambda text: None,
        )  # fmt: skip

    [(_, _, content)] = handler.envelopes
    assert len(content) <= 150_000
    assert 0 < outcome.items < MAX_ITEMS  # halved until it fitted
    assert b"more new items" in content
