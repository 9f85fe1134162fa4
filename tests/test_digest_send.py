"""Handing a digest to an SMTP server: every recipient or none (issue 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from liveserver import HOST, free_port
from loopback import RecordingHandler, smtp_server

from feeds.digest.message import build_message
from feeds.digest.model import Digest, DigestItem, FeedSection, Window
from feeds.digest.send import SmtpSettings, send_message
from feeds.errors import DigestSendError

DAY = dt.date(2026, 11, 25)


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
        to=to,
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
