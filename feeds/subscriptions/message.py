"""The messages a subscriber gets: the confirmation request and the digests. Pure.

A digest's body is rendered once per distinct content, with placeholders for the two
personal links, and filled in per subscriber: rendering is most of the cost of a message.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader

from feeds.digest.compose import day_text, default_subject, excerpt, paragraphs
from feeds.digest.message import TEXT_WIDTH, intro
from feeds.digest.model import Digest, FeedSection, Window
from feeds.subscriptions.model import CONFIRMATION_DAYS

MANAGE, UNSUBSCRIBE = "%%MANAGE%%", "%%UNSUBSCRIBE%%"


@dataclass(frozen=True, slots=True)
class Body:
    """A digest's subject and both parts, with the personal links left as placeholders."""

    subject: str
    text: str
    html: str


def digest_body(
    site_title: str, sections: Sequence[FeedSection], window: Window, home: str
) -> Body:
    names = [section.title for section in sections]
    subject = default_subject([f"{site_title} — {', '.join(names)}"], window)
    digest = Digest("", subject, window, tuple(sections))
    html = (
        _environment()
        .get_template("digest.html")
        .render(
            subject=subject,
            intro=intro(digest),
            sections=sections,
            period=window.period or "",
            home=home,
            manage=MANAGE,
            unsubscribe=UNSUBSCRIBE,
            day_text=day_text,
            paragraphs=paragraphs,
            excerpt=excerpt,
        )
    )
    return Body(subject, _text(digest, window, home), html)


def _text(digest: Digest, window: Window, home: str) -> str:
    lines = [digest.subject, "=" * min(len(digest.subject), TEXT_WIDTH), "", intro(digest)]
    for section in digest.sections:
        lines += ["", "", section.title, "-" * min(len(section.title), TEXT_WIDTH)]
        lines += [section.url, ""]
        for item in section.items:
            lines += textwrap.wrap(item.title, TEXT_WIDTH, initial_indent="* ",
                                   subsequent_indent="  ")  # fmt: skip
            lines += [f"  {day_text(item.day)}", f"  {item.url}"]
            for paragraph in paragraphs(excerpt(item.summary_text)):
                lines += ["", *_wrapped(paragraph)]
            lines.append("")
    lines += [
        "-- ",
        f"You get this {window.period or ''} digest because you subscribed on {home}.",
        "Manage your subscription:",
        MANAGE,
        "Unsubscribe:",
        UNSUBSCRIBE,
    ]
    return "\n".join(lines) + "\n"


def _wrapped(paragraph: str) -> list[str]:
    return textwrap.wrap(
        paragraph, TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ", break_long_words=False
    )


def digest_message(
    body: Body,
    *,
    sender: str,
    to: str,
    message_id: str,
    manage: str,
    unsubscribe: str,
    now: dt.datetime,
) -> EmailMessage:
    """One subscriber's copy: ``To`` that person alone, RFC 8058 one-click unsubscribe."""
    message = _headers(body.subject, sender, to, now)
    message["Message-ID"] = message_id
    mailto = f"mailto:{parseaddr(sender)[1]}?subject={quote('unsubscribe')}"
    message["List-Unsubscribe"] = f"<{unsubscribe}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = body.text.replace(MANAGE, manage).replace(UNSUBSCRIBE, unsubscribe)
    html = body.html.replace(MANAGE, manage).replace(UNSUBSCRIBE, unsubscribe)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def confirmation_message(site_title: str, what: str, confirm: str) -> tuple[str, str]:
    """Subject and text of the double opt-in request; the link's page has the button."""
    return f"{site_title}: please confirm your subscription", (
        f"Somebody, probably you, asked for {what} from {site_title} at this address.\n\n"
        "To confirm, open this link and press the button on the page:\n\n"
        f"{confirm}\n\n"
        "If it was not you, ignore this message: nothing will be sent, and the request\n"
        f"is deleted in {CONFIRMATION_DAYS} days.\n"
    )


def already_subscribed_message(site_title: str, manage: str) -> tuple[str, str]:
    """Sent instead of a confirmation when the address is subscribed already."""
    return f"{site_title}: you are already subscribed", (
        f"Somebody, probably you, asked to subscribe this address to {site_title}'s\n"
        "e-mail digests. It is subscribed already; nothing has changed.\n\n"
        f"To change what you get, pause or unsubscribe:\n\n{manage}\n"
    )


def notice(
    subject_and_text: tuple[str, str], *, sender: str, to: str, now: dt.datetime
) -> EmailMessage:
    """A plain-text message to one person."""
    subject, text = subject_and_text
    message = _headers(subject, sender, to, now)
    message.set_content(text, cte="quoted-printable")
    return message


def _headers(subject: str, sender: str, to: str, now: dt.datetime) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834
    return message


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("feeds.subscriptions", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
