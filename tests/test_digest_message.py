"""The digest e-mail: parts, headers, escaping, layout (issue 6, "The email")."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from feeds.digest.message import TEXT_WIDTH, build_message, render_html, render_text
from feeds.digest.model import Digest, DigestItem, FeedSection, Window

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
WEEK = Window(dt.date(2026, 11, 18), dt.date(2026, 11, 25), "weekly")
NASTY = '<script>alert("x")</script> & <b>bold</b> — Señora'
LONG_SUMMARY = ("The International Organization for Migration trained officials. " * 12).strip()


def make_digest(unsubscribe: tuple[str, ...] = ()) -> Digest:
    mexico = FeedSection(
        "Newsroom — Mexico",
        "https://news.example/country/mexico",
        (
            DigestItem(
                "g1",
                NASTY,
                "https://news.example/entries/1",
                dt.date(2026, 11, 24),
                f"{NASTY}\n\nSecond paragraph.",
                "Newsroom — Mexico",
            ),
            DigestItem(
                "g2", "Plain title", "", dt.date(2026, 11, 20), LONG_SUMMARY, "Newsroom — Mexico"
            ),
        ),
    )
    wire = FeedSection(
        "Partner wire",
        "https://wire.example/",
        (DigestItem("w1", "Wire story", "https://wire.example/1", None, "", "Partner wire"),),
    )
    return Digest(
        "mexico-weekly",
        "Newsroom — Mexico, Partner wire: weekly digest, 18–25 Nov 2026",
        WEEK,
        (mexico, wire),
        unsubscribe,
    )


def sent(digest: Digest) -> EmailMessage:
    """The message as a mail client reads it from the wire."""
    message = build_message(
        digest,
        sender="Redacción <news@news.example>",
        to="Bea <b@example.org>",
        now=NOW,
    )
    raw = message.as_bytes(policy=policy.SMTP)
    assert raw.isascii()  # 7-bit: any SMTP server and any relay take it as it is
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    """The decoded text and HTML, with the wire's CRLF line ends made ``\n``."""
    text, html = (
        part.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
        for part in message.iter_parts()
    )
    return text, html


def test_multipart_alternative_with_text_then_html_in_utf8() -> None:
    message = sent(make_digest())

    assert message.get_content_type() == "multipart/alternative"
    assert [(p.get_content_type(), p.get_content_charset()) for p in message.iter_parts()] == [
        ("text/plain", "utf-8"),
        ("text/html", "utf-8"),
    ]


def test_headers() -> None:
    message = sent(make_digest())

    assert message["Subject"] == "Newsroom — Mexico, Partner wire: weekly digest, 18–25 Nov 2026"
    assert message["From"] == "Redacción <news@news.example>"
    assert message["To"] == "Bea <b@example.org>"  # one recipient a message (issue 14)
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert re.fullmatch(r"<[^<>@\s]+@news\.example>", message["Message-ID"])
    assert message["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message


@pytest.mark.parametrize(
    ("uris", "header", "post"),
    [
        (("mailto:leave@news.example",), "<mailto:leave@news.example>", None),
        (
            ("https://news.example/u?d=1",),
            "<https://news.example/u?d=1>",
            "List-Unsubscribe=One-Click",
        ),
        (
            ("mailto:leave@news.example", "https://news.example/u"),
            "<mailto:leave@news.example>, <https://news.example/u>",
            "List-Unsubscribe=One-Click",
        ),
        (("http://news.example/u",), "<http://news.example/u>", None),
    ],
    ids=["mailto", "https", "both", "http-not-one-click"],
)
def test_list_unsubscribe(uris: tuple[str, ...], header: str, post: str | None) -> None:
    message = sent(make_digest(uris))

    assert message["List-Unsubscribe"] == header
    assert message["List-Unsubscribe-Post"] == post
    text, html = parts(message)
    # The footer links the web pages, and shows no address (issue 14): a mailto: stays
    # in the header, where the mail program's Unsubscribe button finds it.
    for uri in uris:
        shown = not uri.startswith("mailto:")
        assert (uri in text, f'href="{uri}"' in html) == (shown, shown), uri
    if all(uri.startswith("mailto:") for uri in uris):
        assert "Unsubscribe button of your mail program" in text


def test_archive_text_is_escaped_in_html_and_raw_in_text() -> None:
    text, html = parts(sent(make_digest()))

    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert NASTY in text


def test_html_reads_well_in_mail_clients() -> None:
    html = render_html(make_digest())

    assert html.startswith("<!DOCTYPE html>")
    assert html.count('<table role="presentation"') == 2
    assert not re.search(r"<(script|img|style|link|iframe|form)\b", html, re.IGNORECASE)
    assert not re.search(r"\bsrc=", html)
    assert not re.search(r"\bclass=", html)  # no style sheet to apply classes
    assert all('style="' in tag for tag in re.findall(r"<(?:td|p|h1|h2|h3|a)\b[^>]*>", html))


def test_items_grouped_by_feed_each_linked_dated_and_summarised() -> None:
    digest = make_digest()
    text, html = parts(sent(digest))

    text_marks = [
        "\nNewsroom — Mexico\n---",
        NASTY,
        "Plain title",
        "\nPartner wire\n---",
        "Wire story",
    ]
    html_marks = [
        ">Newsroom — Mexico</a></h2>",
        "&lt;script&gt;",
        "Plain title",
        ">Partner wire</a></h2>",
        "Wire story",
    ]
    for rendered, marks in ((text, text_marks), (html, html_marks)):
        positions = [rendered.index(mark) for mark in marks]
        assert positions == sorted(positions)
    assert '<a href="https://news.example/entries/1"' in html
    assert '<a href="https://wire.example/" ' in html
    assert "24 Nov 2026" in html and "24 Nov 2026" in text
    assert "Second paragraph." in html and "Second paragraph." in text
    assert "3 new items from 2 feeds." in html and "3 new items from 2 feeds." in text


def test_an_item_without_a_safe_link_is_not_a_link() -> None:
    html = render_html(make_digest())

    assert re.search(r"<span[^>]*>Plain title</span>", html)
    assert 'href=""' not in html


def test_long_summaries_are_cut_with_an_ellipsis() -> None:
    text, html = parts(sent(make_digest()))

    assert LONG_SUMMARY not in html
    assert re.search(r"officials\.? The…</p>|\bMigration…</p>|\w…</p>", html)
    assert "…" in text


def test_text_lines_fit_except_links() -> None:
    text = render_text(make_digest())

    long_lines = [line for line in text.splitlines() if len(line) > TEXT_WIDTH]
    assert long_lines == []
    assert "\n-- \nYou receive this digest of new items from the feeds it follows;" in text
    assert "mexico-weekly" not in text  # the state file's key is nobody's business
