"""A digest as an e-mail: a plain-text part and an HTML part (multipart/alternative). Pure."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader

from feeds.digest.compose import day_text, excerpt, paragraphs
from feeds.digest.model import Digest, DigestItem, FeedSection

#: Plain-text line width (RFC 3676 suggests at most 78; 72 leaves room for quoting).
TEXT_WIDTH = 72
#: The footer: no address and no internal name (issue 14).
FOOTER = "You receive this digest of new items from the feeds it follows; each is sent once."
UNSUBSCRIBE_BUTTON = "To stop it, use the Unsubscribe button of your mail program."


def build_message(digest: Digest, *, sender: str, to: str, now: dt.datetime) -> EmailMessage:
    """The message for one recipient (issue 14: nobody sees who else gets the digest).
    Quoted-printable bodies keep it 7-bit, so any server takes it."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = header_text(digest.subject)
    message["From"] = header_text(sender)
    message["To"] = header_text(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office robots stay quiet
    if digest.list_unsubscribe:
        uris = ", ".join(f"<{header_text(uri)}>" for uri in digest.list_unsubscribe)
        message["List-Unsubscribe"] = uris
        if any(uri.startswith("https://") for uri in digest.list_unsubscribe):
            # RFC 8058: one-click unsubscribe by POST; mail providers ask bulk senders for it.
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_text(digest), cte="quoted-printable")
    message.add_alternative(render_html(digest), subtype="html", cte="quoted-printable")
    return message


def header_text(value: str) -> str:
    """``value`` on one line: every line break (CR, LF and Unicode's own) and control
    character becomes a space, runs of spaces one (issue 14: a partner's feed title
    holding a line break made the Subject raise, or could have added a header)."""
    return " ".join(_LINE_BREAKS.sub(" ", value).split())


#: What may not appear in a header value: C0 and C1 controls, Unicode line separators.
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def footer_links(digest: Digest) -> tuple[str, ...]:
    """The unsubscribe links a footer shows: web pages only. A ``mailto:`` stays in the
    List-Unsubscribe header: the footer shows no address (issue 14)."""
    return tuple(uri for uri in digest.list_unsubscribe if uri.startswith(("https:", "http:")))


def render_html(digest: Digest) -> str:
    """The HTML part; the web preview serves exactly this."""
    template = _environment().get_template("digest.html")
    return template.render(
        digest=digest,
        intro=intro(digest),
        unsubscribe=footer_links(digest),
        has_unsubscribe=bool(digest.list_unsubscribe),
        footer=FOOTER,
        unsubscribe_button=UNSUBSCRIBE_BUTTON,
    )


def render_text(digest: Digest) -> str:
    """The plain-text part: the same content, wrapped, with each link on a line of its own."""
    lines = [digest.subject, "=" * min(len(digest.subject), TEXT_WIDTH), "", intro(digest), ""]
    for section in digest.sections:
        lines += ["", section.title, "-" * min(len(section.title), TEXT_WIDTH)]
        lines += [section.url, ""] if section.url else [""]
        for item in section.items:
            lines += _text_item(item)
        if section.more:
            lines += [*textwrap.wrap(more_text(section), TEXT_WIDTH), ""]
    lines += ["-- ", *textwrap.wrap(FOOTER, TEXT_WIDTH)]
    if footer_links(digest):
        lines.append("Unsubscribe: " + ", ".join(footer_links(digest)))
    elif digest.list_unsubscribe:
        lines += textwrap.wrap(UNSUBSCRIBE_BUTTON, TEXT_WIDTH)
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


def more_text(section: FeedSection) -> str:
    """``… and 24,800 more new items: https://…`` for a section cut at the cap."""
    where = f": {section.url}" if section.url else " in the feed"
    return f"… and {section.more:,} more new item{'s' * (section.more != 1)}{where}"


def intro(digest: Digest) -> str:
    """``3 new items from 2 feeds.``"""
    items, feeds = len(digest.items), len(digest.sections)
    if not items:
        return "Nothing new: a digest made now would send nothing."
    return f"{items} new item{'s' * (items != 1)} from {feeds} feed{'s' * (feeds != 1)}."


def template_environment(*loaders: BaseLoader) -> Environment:
    """Jinja for e-mail HTML: templates of ``loaders``, then the digest's own (which others
    extend). Everything is autoescaped: titles and summaries are archive or third-party text."""
    environment = Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("feeds.digest", "templates")]),
        autoescape=True,
        keep_trailing_newline=True,
    )
    # What the digest's template calls to lay out items, whoever renders it.
    environment.globals.update(
        day_text=day_text, paragraphs=paragraphs, excerpt=excerpt, more_text=more_text
    )
    return environment


@cache
def _environment() -> Environment:
    return template_environment()
