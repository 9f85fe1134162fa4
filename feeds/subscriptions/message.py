"""The messages a subscriber gets: the confirmation request and the digests. Pure.

A digest's body is rendered once per distinct content, with placeholders for the two
personal links, and filled in per subscriber: rendering is most of the cost of a message.
"""

from __future__ import annotations

import binascii
import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader

from feeds.digest.compose import day_text, default_subject, excerpt, paragraphs
from feeds.digest.message import (
    TEXT_WIDTH,
    header_text,
    intro,
    more_text,
    template_environment,
)
from feeds.digest.model import Digest, FeedSection, Window
from feeds.subscriptions.model import CONFIRMATION_DAYS

MANAGE, UNSUBSCRIBE = "%%MANAGE%%", "%%UNSUBSCRIBE%%"
#: SMTP's line endings, and quoted-printable lines of at most 76 characters (RFC 2045
#: section 6.7): the email package's default of 78 is a header's limit.
_POLICY = policy.SMTP.clone(max_line_length=76)
_TO, _MESSAGE_ID, _UNSUBSCRIBE_HEADER = "%%TO%%", "<%%MESSAGE-ID%%>", "%%UNSUBSCRIBE-HEADER%%"


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
        .get_template("subscriber_digest.html")
        .render(
            digest=digest,
            intro=intro(digest),
            period=window.period or "",
            home=home,
            manage=MANAGE,
            unsubscribe=UNSUBSCRIBE,
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
        if section.more:  # cut short by the cap: its link leads to the rest
            lines += [*textwrap.wrap(more_text(section), TEXT_WIDTH), ""]
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


def prepared_message(body: Body, *, sender: str, now: dt.datetime, one_click: bool) -> bytes:
    """The message as bytes once per body, with the recipient, Message-ID and links left
    as placeholders for :func:`personal_copy`: the email package's encoding and folding
    cost far more than a message's SMTP transaction. ``one_click``: the unsubscribe link
    is https, as RFC 8058 requires for List-Unsubscribe-Post."""
    message = _headers(body.subject, sender, _TO, now)
    message["Message-ID"] = _MESSAGE_ID
    mailto = f"mailto:{parseaddr(sender)[1]}?subject={quote('unsubscribe')}"
    message["List-Unsubscribe"] = f"<{_UNSUBSCRIBE_HEADER}>, <{mailto}>"
    if one_click:  # RFC 8058: a POST of List-Unsubscribe=One-Click to the https URL
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body.text, cte="quoted-printable")
    message.add_alternative(body.html, subtype="html", cte="quoted-printable")
    return message.as_bytes(policy=_POLICY)


def personal_copy(
    prepared: bytes, *, to: str, message_id: str, manage: str, unsubscribe: str
) -> bytes:
    """One subscriber's copy: ``To`` that person alone, its own links. The addresses and
    links are ASCII (:mod:`.addresses` accepts no other), so they go in as they are;
    in the bodies a link is quoted-printable itself, in lines of at most 76."""
    return (
        prepared.replace(_TO.encode(), to.encode(), 1)
        .replace(_MESSAGE_ID.encode(), message_id.encode(), 1)
        .replace(_UNSUBSCRIBE_HEADER.encode(), unsubscribe.encode(), 1)
        .replace(MANAGE.encode(), _qp_line(manage))
        .replace(UNSUBSCRIBE.encode(), _qp_line(unsubscribe))
    )


def _qp_line(text: str) -> bytes:
    return binascii.b2a_qp(text.encode()).replace(b"=\n", b"=\r\n")


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


def notice(subject_and_text: tuple[str, str], *, sender: str, to: str, now: dt.datetime) -> bytes:
    """A plain-text message to one person, as bytes to send. Built with the email
    package's compat32 classes: a sign-up pays for it, and the modern header objects
    cost a millisecond more."""
    subject, text = subject_and_text
    message = MIMEText(text.replace("\n", "\r\n"), "plain", "utf-8")
    message["Subject"] = Header(subject, "utf-8").encode()
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834
    return message.as_bytes(policy=compat32.clone(linesep="\r\n"))


def _headers(subject: str, sender: str, to: str, now: dt.datetime) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = header_text(subject)  # topic names and the site title are text
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834
    return message


@cache
def _environment() -> Environment:
    return template_environment(PackageLoader("feeds.subscriptions", "templates"))
