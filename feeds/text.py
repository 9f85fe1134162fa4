"""Text helpers shared by the parser, the classifier and search: accent folding and tokens.

Everything that matches words (countries, topics, ``q=`` search) goes through
:func:`tokens`, so rules and text are always cut the same way. It is one
``str.translate`` with a table built once, then ``str.split``: about ten times faster
than a Unicode word regex, which matters for archives of 100,000+ entries.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Characters inside a word that tokens() keeps: none. "U.S." → "U S", "cross-border" →
# "cross border", "Mexico's" → "Mexico s"; rules are tokenised by the same function.


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    accents: dict[int, str] = {}
    for code in range(0x00C0, 0x2100):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base != char and base and base.isascii() and base.isalnum():
            accents[code] = base
    # Letters with no decomposition that readers still expect to match plain Latin.
    for letter, plain in {
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }.items():
        accents[ord(letter)] = plain
    separators = dict(accents)
    for code in range(0x80):
        if not chr(code).isalnum():
            separators[code] = " "
    for code in range(0x80, 0x3000):
        category = unicodedata.category(chr(code))
        if category[0] in "PSZC":  # punctuation, symbols, separators, controls
            separators[code] = " "
    return accents, separators


_ACCENTS, _SEPARATORS = _build_tables()
_SLUG_WORD = re.compile(r"[a-z0-9]+")
# bytes.translate needs a 256-entry table; only its ASCII half is ever used here.
_ASCII_SEPARATORS = bytes(ord(_SEPARATORS.get(i, chr(i))) for i in range(128)) + bytes(
    range(128, 256)
)


class _SeparatedRuns(dict[str, str]):
    """Non-ASCII run → its separated form, computed once: an archive has few distinct
    runs (accented names, typographic quotes)."""

    __slots__ = ()
    #: Bound for archives in other scripts, whose runs are whole words.
    LIMIT = 50_000

    def __missing__(self, run: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        separated = self[run] = run.translate(_SEPARATORS)
        return separated


_SEPARATED_RUNS = _SeparatedRuns()


def _separate_run(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the ASCII encoder hands over each run of non-ASCII characters."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return _SEPARATED_RUNS[error.object[error.start : error.end]], error.end


_SEPARATE_RUNS = "feeds.text.separate"
codecs.register_error(_SEPARATE_RUNS, _separate_run)


def fold(text: str) -> str:
    """Accent- and case-insensitive form of ``text``, punctuation kept."""
    return text.translate(_ACCENTS).casefold()


def _ascii_separated(text: str) -> bytes | None:
    """:func:`_separated` as ASCII bytes, or None when ``text`` has letters of other scripts.

    ``str.translate`` with a dict costs about 100 ns a character once it meets one
    non-ASCII character, and so does finding those with a regex. The ASCII encoder finds
    them in C and calls :func:`_separate_run` once per run; the (then ASCII) text goes
    through ``bytes.translate``, which is a table lookup in C.
    """
    try:
        return text.encode("ascii", _SEPARATE_RUNS).translate(_ASCII_SEPARATORS)
    except UnicodeEncodeError:  # a run kept letters that are not ASCII
        return None


def _separated(text: str) -> str:
    """``text`` with accents folded and every non-word character turned into a space."""
    separated = _ascii_separated(text)
    return text.translate(_SEPARATORS) if separated is None else separated.decode()


def tokens(text: str) -> list[str]:
    """Words as written, accents removed, punctuation dropped: the unit of all matching."""
    return _separated(text).split()


def lower_tokens(text: str) -> list[str]:
    """:func:`tokens`, case-folded: for topic rules and search."""
    return _separated(text).lower().split()


def lower_token_string(text: str) -> str:
    """``" ".join(lower_tokens(text))``, cut as bytes when it can be (see below)."""
    separated = _ascii_separated(text)
    if separated is None:
        return " ".join(text.translate(_SEPARATORS).lower().split())
    return b" ".join(separated.lower().split()).decode()


def spaced_tokens(text: str) -> bytes:
    """``" ".join(tokens(text))`` with two spaces between words, in UTF-8: the form phrase
    lookup reads (:func:`feeds.classify.phrases.spaced`). ASCII is cut as bytes, which split about
    20% faster than a str (no per-word check of the characters)."""
    separated = _ascii_separated(text)
    if separated is None:
        return "  ".join(text.translate(_SEPARATORS).split()).encode()
    return b"  ".join(separated.split())


def slug_words(text: str) -> list[str]:
    """Lower-case ASCII words for slugs: ``"Costa Rica’s"`` → ``["costa", "rica", "s"]``."""
    return _SLUG_WORD.findall(fold(text))


def slugify(text: str) -> str:
    """``"Costa Rica"`` → ``"costa-rica"``."""
    return "-".join(slug_words(text))
