"""Stable identifiers (RFC 4151 tag URIs) and URL slugs for entries and feeds.

An entry's identity is its date and its title's words, nothing else: not the file it
sits in, not its line, not its summary, not the host that serves it. Readers and digest
tools de-duplicate on these ids, so they must survive renames, moves and summary edits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from feeds.text import lower_token_string

#: Used when no ``FEEDS_TAG_AUTHORITY`` is configured. Set your own domain once, before
#: publishing, and never change it afterwards: every guid contains it.
DEFAULT_TAG_AUTHORITY = "newsroom.example.org"

_MAX_SLUG_CHARS = 96
_AUTHORITY = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"|[^@\s]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]+"
)


def title_key(title: str) -> str:
    """Normalised title used to recognise the same entry twice (case, accents, punctuation)."""
    return lower_token_string(title)


def entry_slug(date: dt.date, title: str) -> str:
    """``2021-03-12-iom-trained-mexicali-municipal-police``: readable, URL-safe, unique.

    Two entries share a slug only when they share a date and a :func:`title_key`, which is
    exactly when the archive keeps one of them. A title that is cut short, or has words
    outside ASCII, gets a short hash of its whole key so that this stays true.
    """
    key = title_key(title)
    # Tokens hold only letters, digits and marks, so ASCII ones are slug-safe as they are.
    if key.isascii():  # the usual title: no need to look at each word
        words_slug, faithful = key.replace(" ", "-"), True
    else:
        words = key.split()
        ascii_words = [w for w in words if w.isascii()]
        words_slug, faithful = "-".join(ascii_words), len(ascii_words) == len(words)
    if len(words_slug) > _MAX_SLUG_CHARS:
        words_slug = words_slug[:_MAX_SLUG_CHARS].rsplit("-", 1)[0]
        faithful = False
    if not faithful or not words_slug:
        # "--" never comes from title words, so no other title can spell this slug.
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        words_slug = f"{words_slug}--{digest}" if words_slug else f"-{digest}"
    return f"{date.isoformat()}-{words_slug}"


def is_valid_authority(authority: str) -> bool:
    """RFC 4151 section 2.1: a DNS name or an e-mail address."""
    return bool(_AUTHORITY.fullmatch(authority))


def tag_uri(authority: str, date: dt.date | int, specific: str) -> str:
    """``tag:authority,date:specific`` (RFC 4151); ``date`` a day or a year."""
    when = date.isoformat() if isinstance(date, dt.date) else f"{date:04d}"
    return _tag(authority, when, specific)


def entry_guid(authority: str, date: dt.date, slug: str) -> str:
    """The entry's tag URI: dated by its publication day, named by its title."""
    day = date.isoformat()  # once for every entry, for the tag and for the slug's prefix
    return _tag(authority, day, "entries/" + slug.removeprefix(day + "-"))


def _tag(authority: str, when: str, specific: str) -> str:
    return f"tag:{authority},{when}:{specific}"
