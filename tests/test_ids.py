"""Entry ids (URL slugs) and guids (RFC 4151 tag URIs): unique, URL-safe and stable."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.archive.ids import (
    DEFAULT_TAG_AUTHORITY,
    entry_guid,
    entry_slug,
    is_valid_authority,
    tag_uri,
    title_key,
)
from feeds.archive.parsing import parse_text
from feeds.catalog import load_catalog

WriteArchive = Callable[..., Path]
DAY = dt.date(2021, 3, 12)
# Words joined by "-"; a hash of the whole title, when one is needed, follows "--".
URL_SAFE_SLUG = re.compile(r"\d{4}-\d{2}-\d{2}(?:-[a-z0-9]+)*(?:--[0-9a-f]{8})?")
# RFC 4151 section 2.1: "tag:" authorityName "," date ":" specific, specific = *(pchar / "/" / "?").
TAG_URI = re.compile(
    r"tag:(?P<authority>[^,]+),(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?)"
    r":(?P<specific>[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*"
)

ENTRY = "12 March, 2021\nIOM trains Mexicali police\nThe summary.\n"
OTHER = "6 March, 2021\nKey staff completed training\nAnother summary.\n"


# --- Normalised titles and slugs --------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "IOM trains Mexicali police",
        "iom TRAINS mexicali POLICE",
        "  IOM   trains\tMexicali police ",
        "IOM trains Mexicali police.",
        "IOM — trains “Mexicali” police!",
        "ÎÔM trains Méxicali police",
    ],
)
def test_title_key_ignores_case_spacing_punctuation_and_accents(variant: str) -> None:
    assert title_key(variant) == "iom trains mexicali police"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("IOM trained Mexicali municipal police", "iom-trained-mexicali-municipal-police"),
        ("Costa Rica: IOM promotes integration", "costa-rica-iom-promotes-integration"),
        (
            "700 officials from Mexico's employment service",
            "700-officials-from-mexico-s-employment-service",
        ),
        ("Elías Piña hosts cross-border roundtables", "elias-pina-hosts-cross-border-roundtables"),
        ("Panama expands border security services", "panama-expands-border-security-services"),
    ],
)
def test_slug_is_the_date_and_the_title_words(title: str, slug: str) -> None:
    assert entry_slug(DAY, title) == f"2021-03-12-{slug}"


@pytest.mark.parametrize(
    "title",
    [
        "Mexico & Guatemala: 50% more (2021/22)?",
        "Foro 移民 2021",
        "移民论坛",
        "منتدى الهجرة",
        "Migration 🌎 forum",
        "???",
        "a" * 300,
        " ".join(["labour migration"] * 40),
        "Ærø Ōsaka İstanbul Łódź straße",
    ],
)
def test_slug_is_url_safe_and_bounded(title: str) -> None:
    slug = entry_slug(DAY, title)

    assert URL_SAFE_SLUG.fullmatch(slug)
    assert len(slug) <= 120


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Foro 移民 2021", "Foro 论坛 2021"),
        ("移民论坛", "论坛移民"),
        (" ".join(["labour migration"] * 40) + " in Mexico", " ".join(["labour migration"] * 40)),
        ("Migration 🌎 forum", "Migration forum"),
    ],
)
def test_different_titles_get_different_slugs(first: str, second: str) -> None:
    assert entry_slug(DAY, first) != entry_slug(DAY, second)


def test_a_hashed_slug_cannot_be_forged_by_another_title() -> None:
    # "Café 移民 opens" has a word outside ASCII, so its slug ends with a short hash of
    # its key. A title whose words are exactly the slug's must not get the same id: the
    # archive would drop it as a duplicate although its normalised title differs.
    hashed = entry_slug(DAY, "Café 移民 opens")
    forged_title = " ".join(hashed.removeprefix("2021-03-12-").split("-"))

    assert title_key(forged_title) != title_key("Café 移民 opens")
    assert entry_slug(DAY, forged_title) != hashed


@given(title=st.text(max_size=300), date=st.dates())
@settings(max_examples=200, deadline=None)
def test_any_title_gives_a_url_safe_slug_and_a_tag_uri(title: str, date: dt.date) -> None:
    slug = entry_slug(date, title)
    guid = entry_guid(DEFAULT_TAG_AUTHORITY, date, slug)

    assert URL_SAFE_SLUG.fullmatch(slug)
    assert slug.startswith(date.isoformat())
    match = TAG_URI.fullmatch(guid)
    assert match
    assert match["authority"] == DEFAULT_TAG_AUTHORITY


# --- Tag URIs ---------------------------------------------------------------------------


def test_entry_guid_is_a_tag_uri_dated_by_the_entry() -> None:
    slug = entry_slug(DAY, "IOM trains Mexicali police")

    guid = entry_guid("newsroom.example.org", DAY, slug)

    assert guid == "tag:newsroom.example.org,2021-03-12:entries/iom-trains-mexicali-police"
    assert TAG_URI.fullmatch(guid)


@pytest.mark.parametrize(
    ("date", "uri"),
    [
        (DAY, "tag:example.org,2021-03-12:feeds/all"),
        (2021, "tag:example.org,2021:feeds/all"),
        (999, "tag:example.org,0999:feeds/all"),
    ],
)
def test_tag_uri_takes_a_day_or_a_year(date: dt.date | int, uri: str) -> None:
    assert tag_uri("example.org", date, "feeds/all") == uri


@pytest.mark.parametrize(
    ("authority", "valid"),
    [
        ("newsroom.example.org", True),
        ("press-office.example.co.uk", True),
        ("press@example.org", True),
        (DEFAULT_TAG_AUTHORITY, True),
        ("", False),
        ("localhost", False),
        ("http://example.org", False),
        ("example.org/feeds", False),
        ("exa mple.org", False),
        ("-bad.example.org", False),
    ],
)
def test_tag_authority_is_a_dns_name_or_an_email_address(authority: str, valid: bool) -> None:
    assert is_valid_authority(authority) is valid


# --- Stable identity across the archive's life ------------------------------------------


ORIGINAL_GUIDS = {e.title: e.guid for e in parse_text(ENTRY + "\n" + OTHER, "2021-03.txt").entries}


def guids_by_title(directory: Path, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> dict[str, str]:
    archive = load_catalog(directory, tag_authority=tag_authority).archive
    return {entry.title: entry.guid for entry in archive.entries}


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"renamed.txt": ENTRY + "\n" + OTHER}, id="file-renamed"),
        pytest.param({"2021/03/2021-03.txt": ENTRY + "\n" + OTHER}, id="moved-to-subdirectory"),
        pytest.param({"a.txt": OTHER, "b.txt": ENTRY}, id="split-into-two-files"),
        pytest.param({"x.txt": OTHER + "\n" + ENTRY}, id="reordered"),
        pytest.param({"x.txt": "2021-03-01\nEarlier\nS\n\n" + ENTRY + OTHER}, id="lines-shifted"),
        pytest.param(
            {"x.txt": ENTRY.replace("The summary.", "The corrected summary.\n\nMore.") + OTHER},
            id="summary-edited",
        ),
        pytest.param(
            {"x.txt": (ENTRY + "\n" + OTHER).replace("\n", "\r\n").encode("utf-16")},
            id="re-encoded-utf16-crlf",
        ),
        pytest.param(
            {"x.txt": ENTRY.replace("12 March, 2021", "March 12, 2021") + OTHER},
            id="date-line-rewritten",
        ),
        pytest.param(
            {"x.txt": ENTRY.replace("IOM trains", "IOM  trains") + OTHER},
            id="title-respaced",
        ),
    ],
)
def test_guid_survives_edits_that_keep_date_and_title(
    files: dict[str, str | bytes], write_archive: WriteArchive
) -> None:
    guids = guids_by_title(write_archive(files))

    assert {title: guids.get(title) for title in ORIGINAL_GUIDS} == ORIGINAL_GUIDS


def test_guid_names_no_host_but_the_tag_authority(
    write_archive: WriteArchive,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "web-7.internal.example.com")
    monkeypatch.setattr(socket, "getfqdn", lambda *_: "web-7.internal.example.com")
    monkeypatch.setenv("HOSTNAME", "web-7.internal.example.com")
    monkeypatch.setenv("SERVER_NAME", "feeds.example.net")

    guids = guids_by_title(write_archive({"2021-03.txt": ENTRY + "\n" + OTHER}))

    assert guids == ORIGINAL_GUIDS
    for guid in guids.values():
        match = TAG_URI.fullmatch(guid)
        assert match
        assert match["authority"] == DEFAULT_TAG_AUTHORITY
        assert "web-7" not in guid
        assert "://" not in guid


def test_guid_uses_the_configured_authority(write_archive: WriteArchive) -> None:
    guids = guids_by_title(write_archive({"a.txt": ENTRY}), tag_authority="press.example.net")

    assert guids == {
        "IOM trains Mexicali police": (
            "tag:press.example.net,2021-03-12:entries/iom-trains-mexicali-police"
        )
    }


def test_guids_are_the_same_in_a_new_process(real_archive_dir: Path) -> None:
    # A fresh interpreter with another hash seed stands in for a restart on another machine.
    code = (
        "import sys; from pathlib import Path; from feeds.catalog import load_catalog; "
        "print('\\n'.join(e.guid for e in load_catalog(Path(sys.argv[1])).entries))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, str(real_archive_dir)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.split()
        for seed in ("1", "2")
    ]

    in_process = [e.guid for e in load_catalog(real_archive_dir).entries]
    assert runs == [in_process, in_process]


def test_real_archive_ids_are_unique_and_url_safe(real_archive_dir: Path) -> None:
    entries = load_catalog(real_archive_dir).entries

    ids = [entry.id for entry in entries]
    assert len(ids) == len(set(ids)) == 20
    assert all(URL_SAFE_SLUG.fullmatch(entry_id) for entry_id in ids)
    assert len({entry.guid for entry in entries}) == 20
