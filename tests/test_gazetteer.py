"""What each country-like phrase means: generated data files and editors' corrections."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from feeds.classify.gazetteer import (
    DATA,
    Limits,
    Meaning,
    _place_meaning,
    country_names,
    key,
    load_config,
    load_meanings,
)
from feeds.errors import DataFileError

ISO_CODES = {country.alpha_2 for country in pycountry.countries}


@pytest.fixture(scope="module")
def meanings() -> dict[tuple[str, ...], Meaning]:
    return load_meanings()


def rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if not line.startswith("#")]


def test_places_file_rows() -> None:
    places = rows("places.tsv")
    assert len(places) > 40_000
    assert {len(row) for row in places} == {5}
    assert {row[1] for row in places} <= ISO_CODES
    assert {row[2] for row in places} == {"city", "subdivision"}
    assert {row[4] for row in places} == {"0", "1"}
    assert ["Desamparados", "CR", "city"] in [row[:3] for row in places]


def test_demonyms_file_rows() -> None:
    demonyms = rows("demonyms.tsv")
    assert {len(row) for row in demonyms} == {2}
    assert {row[1] for row in demonyms} <= ISO_CODES
    assert ["Haitian", "HT"] in demonyms


@pytest.mark.parametrize(
    ("phrase", "meaning"),
    [
        ("Mexico", Meaning(frozenset({"MX"}))),
        ("El Salvador", Meaning(frozenset({"SV"}))),  # the country, not the towns
        ("United Nations", Meaning(frozenset())),
        ("Dominican", Meaning(frozenset({"DM", "DO"}), needs_support=True, prefer="DO")),
        ("French", Meaning(frozenset({"FR"}), needs_support=True)),  # [remove] and language
        ("Georgia", Meaning(frozenset({"GE", "US"}), needs_support=True)),
        ("Congo", Meaning(frozenset({"CG"}))),  # DR Congo's shortened name yields
        ("Virgin Islands", Meaning(frozenset({"VG", "VI"}), needs_support=True)),
    ],
)
def test_meanings(meanings: dict[tuple[str, ...], Meaning], phrase: str, meaning: Meaning) -> None:
    assert meanings[key(phrase)] == meaning


def test_no_phrase_starts_with_a_lower_case_word(meanings: dict[tuple[str, ...], Meaning]) -> None:
    # Names are proper nouns; only a supporting mention (issue 18) starts with the words of
    # its context: "border with Haiti".
    assert not [form for form, m in meanings.items() if form[0][0].islower() and not m.context]


@pytest.mark.parametrize(
    ("name", "code"),
    [("Bolivia", "BO"), ("Bahamas", "BS"), ("St Lucia", "LC"), ("Haitians", "HT")],
)
def test_country_names_include_short_forms_and_plurals(name: str, code: str) -> None:
    assert code in country_names(load_config())[key(name)]


SIZES = {
    "one country": ({"CR": (14_000, False)}, False, Meaning(frozenset({"CR"}), place=True)),
    "small town": ({"MX": (3_300, False)}, False, Meaning(frozenset({"MX"}), True, place=True)),
    "small province": ({"DO": (0, True)}, False, Meaning(frozenset({"DO"}), place=True)),
    "common word": ({"PL": (34_000, False)}, True, Meaning(frozenset({"PL"}), True, place=True)),
    "dominant city": (
        {"DO": (2_200_000, True), "CU": (45_000, False)},
        False,
        Meaning(frozenset({"DO"}), place=True),
    ),
    "small towns stay shared": (
        {"VE": (40_000, False), "MX": (2_000, False)},
        False,
        Meaning(frozenset({"MX", "VE"}), True, place=True),
    ),
    "a province elsewhere keeps it shared": (
        {"CL": (4_800_000, False), "DO": (0, True)},
        False,
        Meaning(frozenset({"CL", "DO"}), True, place=True),
    ),
    "close sizes stay shared": (
        {"GY": (235_000, False), "CA": (44_000, False)},
        False,
        Meaning(frozenset({"CA", "GY"}), True, place=True),
    ),
}


@pytest.mark.parametrize(("sizes", "common", "meaning"), SIZES.values(), ids=SIZES.keys())
def test_place_meaning(sizes: dict[str, tuple[int, bool]], common: bool, meaning: Meaning) -> None:
    assert _place_meaning(sizes, common, Limits()) == meaning


def test_config_with_an_unknown_code(tmp_path: Path) -> None:
    path = tmp_path / "countries.toml"
    path.write_text('[aliases]\nXX = ["Atlantis"]\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown country codes"):
        load_config(path)


def test_config_with_a_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "countries.toml"
    path.write_text('not_countries = "United Nations"\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="must be a list"):
        load_config(path)


def test_preference_that_cannot_apply() -> None:
    config = load_config()
    config["prefer"] = {"Mexico": "US"}
    with pytest.raises(DataFileError, match="cannot mean"):
        load_meanings(config)
