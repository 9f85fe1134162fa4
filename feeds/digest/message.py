"""A digest as an e-mail: a plain-text part and an HTML part (multipart/alternative). Pure."""

from __future__ import annotations

import datetime as dt
import textwrap
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache

from jinja2 import Environment, PackageLoader

from feeds.digest.compose import day_text, excerpt, paragraphs
from feeds.digest.model import Digest, DigestItem

#: Plain-text line width (RFC 3676 suggests at most 78; 72 leaves room for quoting).
TEXT_WIDTH = 72


def build_message(
    digest: Digest, *, sender: str, to: tuple[str, ...], now: dt.datetime
) -> EmailMessage:
    """The message to send. Quoted-printable bodies keep it 7-bit, so any server takes it."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office robots stay quiet
    if digest.list_unsubscribe:
        message["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in digest.list_unsubscribe)
        if any(uri.startswith("https://") for uri in digest.list_unsubscribe):
            # RFC 8058: one-click unsubscribe by POST; mail providers ask bulk senders for it.
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_text(digest), cte="quoted-printable")
    message.add_alternative(render_html(digest), subtype="html", cte="quoted-printable")
    return message


def render_html(digest: Digest) -> str:
    """The HTML part; the web preview serves exactly this."""
    template = _environment().get_template("digest.html")
    return template.render(
        digest=digest,
        intro=intro(digest),
        unsubscribe=digest.list_unsubscribe,
        day_text=day_text,
        paragraphs=paragraphs,
        excerpt=excerpt,
    )


def render_text(digest: Digest) -> str:
    """The plain-text part: the same content, wrapped, with each link on a line of its own."""
    lines = [digest.subject, "=" * min(len(digest.subject), TEXT_WIDTH), "", intro(digest), ""]
    for section in digest.sections:
        lines += ["", section.title, "-" * min(len(section.title), TEXT_WIDTH)]
        lines += [section.url, ""] if section.url else [""]
        for item in section.items:
            lines += _text_item(item)
    lines += [
        "-- ",
        *textwrap.wrap(
            f"This is the digest \u201c{digest.name}\u201d: new items "
            "from the feeds it follows, each sent once.",
            TEXT_WIDTH,
        ),
    ]
    if digest.list_unsubscribe:
        lines.append("Unsubscribe: " + ", ".join(digest.list_unsubscribe))
    return "\n".join(lines) + "\n"


def _text_item(item: DigestItem) -> list[str]:
    lines = textwrap.wrap(item.title, TEXT_WIDTH, initial_indent="* ", subsequent_indent="  ")
    lines += [f"  {value}" for value in (day_text(item.day), item.url) if value]
    for paragraph in paragraphs(excerpt(item.summary_text)):
        lines.append("")
        lines += textwrap.wrap(
            paragraph,
            TEXT_WIDTH,
            initial_indent="  ",
            subsequent_indent="  ",
            break_long_words=False,
        )
    return [*lines, ""]


def intro(digest: Digest) -> str:
    """``3 new items from 2 feeds.``"""
    items, feeds = len(digest.items), len(digest.sections)
    if not items:
        return "Nothing new: a digest made now would send nothing."
    return f"{items} new item{'s' * (items != 1)} from {feeds} feed{'s' * (feeds != 1)}."


@cache
def _environment() -> Environment:
    # Autoescape everything: titles and summaries are archive or third-party text.
    return Environment(
        loader=PackageLoader("feeds.digest", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
