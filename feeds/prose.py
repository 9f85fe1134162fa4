"""How names read inside a sentence: "Press releases about the United States" (issue 17).

ISO 3166-1 short names and our region names do not say whether they take "the"; feeds'
subtitles and pages' leads both ask :func:`in_prose`.
"""

from __future__ import annotations

from typing import Final

#: Name beginnings that take "the" mid-sentence.
_WITH_ARTICLE: Final = (
    "United States", "United Kingdom", "United Arab Emirates", "Dominican Republic",
    "Central African Republic", "Czech Republic", "Netherlands", "Philippines", "Bahamas",
    "Gambia", "Maldives", "Comoros", "Seychelles", "Marshall Islands", "Solomon Islands",
    "Cayman Islands", "Falkland Islands", "Turks and Caicos Islands", "Virgin Islands",
    "Cook Islands", "Holy See", "Caribbean", "Congo", "Republic of", "Democratic Republic",
    "Russian Federation",
)  # fmt: skip


def in_prose(name: str) -> str:
    """``United States`` → ``the United States``, ``The Caribbean`` → ``the Caribbean``;
    other names unchanged."""
    if name.startswith("The "):
        return "the " + name[4:]
    if name.startswith(_WITH_ARTICLE):
        return "the " + name
    return name


def about(name: str) -> str:
    """A place's description: ``Press releases about the United States.``"""
    return f"Press releases about {in_prose(name)}."
