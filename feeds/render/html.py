"""Text as every format can carry it: XML-safe strings and the summary as HTML."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from feeds.archive.entry import Entry
from feeds.render.model import DEFAULT_AUTHOR, Category, FeedInfo

# XML 1.0 section 2.2 Char, minus the C1 controls and DEL it "discourages": lxml refuses
# the rest (C0 controls, lone surrogates, U+FFFE/U+FFFF) and JSON readers choke on
# lone surrogates, so they are dropped from every string before any format sees it.
# U+FFFD goes too: it only stands for bytes that could not be decoded, and the W3C
# validator reports it in Atom text as BadCharacters (a warning).
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffc\U00010000-\U0010ffff]+")


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or discourages, and U+FFFD, and
    UTF-8 read as Latin-1 decoded again (see :func:`undo_double_utf8`)."""
    return _NOT_XML_CHAR.sub("", undo_double_utf8(text))


def undo_double_utf8(text: str) -> str:
    """``"Ã©tÃ©"`` as ``"été"``: text that is all Latin-1 and whose bytes are UTF-8.

    feedparser repairs such text as it reads it (``mixin.py``, ``pop``) and the W3C
    validator reports it (BadCharacters, "latin characters double encoded as utf-8"), so
    readers would otherwise disagree with JSON Feed on it; the repair is done here once,
    for every format. Text with no character above U+007F is unchanged.
    """
    if text.isascii():
        return text
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        return text


def title_text(entry: Entry) -> str:
    """The title, or the id if nothing is left once cleaned: every format needs a title."""
    return clean_text(entry.title) or entry.id


def label_text(category: Category) -> str:
    """The label, or the term if the label is empty: readers show it as the category."""
    label = clean_text(category.label)
    return label if label.strip() else clean_text(category.term)


def author_text(info: FeedInfo) -> str:
    """The author's name, never empty: feedgen silently drops a nameless Atom author."""
    return clean_text(info.author_name) or DEFAULT_AUTHOR


def description_text(info: FeedInfo) -> str:
    """The subtitle, or the title: RSS requires a channel description."""
    return clean_text(info.subtitle) or clean_text(info.title)


def summary_html(paragraphs: Iterable[str]) -> str:
    """One escaped ``<p>`` per paragraph: markup in an entry is text, never HTML.

    Escaping means the HTML holds no elements, hence no relative URLs for validators
    to flag and nothing for readers to sanitise.
    """
    return "".join(f"<p>{escape(clean_text(p), quote=False)}</p>" for p in paragraphs)


def summary_text(paragraphs: Iterable[str]) -> str:
    """The plain-text summary: paragraphs separated by a blank line."""
    return "\n\n".join(clean_text(p) for p in paragraphs)
