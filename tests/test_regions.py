"""Region feeds, computed from entries' countries (issue 3)."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from feeds.classify.regions import all_regions, load_regions, region_by_slug, regions_of
from feeds.errors import DataFileError, UnknownSelectionError


def test_regions_and_their_names() -> None:
    assert [(r.slug, r.name) for r in all_regions()] == [
        ("central-america", "Central America"),
        ("caribbean", "The Caribbean"),
        ("north-america", "North America"),
        ("south-america", "South America"),
    ]


def test_region_codes_are_iso_countries_in_one_region_each() -> None:
    known = {country.alpha_2 for country in pycountry.countries}
    codes = [code for region in all_regions() for code in region.codes]
    assert set(codes) <= known
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("slug", "member", "outsider"),
    [
        ("central-america", "CR", "CO"),
        ("caribbean", "HT", "MX"),
        ("north-america", "US", "MX"),
        ("south-america", "GY", "PA"),
    ],
)
def test_region_by_slug(slug: str, member: str, outsider: str) -> None:
    region = region_by_slug(slug)
    assert member in region.codes
    assert outsider not in region.codes


@pytest.mark.parametrize("slug", ["", "europe", "Central America", "central_america"])
def test_unknown_region(slug: str) -> None:
    with pytest.raises(UnknownSelectionError):
        region_by_slug(slug)


@pytest.mark.parametrize(
    ("codes", "slugs"),
    [
        ({"DO", "HT"}, ("caribbean",)),
        ({"GT", "MX", "US"}, ("central-america", "north-america")),
        ({"ES"}, ()),
        (set(), ()),
    ],
)
def test_regions_of(codes: set[str], slugs: tuple[str, ...]) -> None:
    assert regions_of(codes) == slugs


@pytest.mark.parametrize(
    "text",
    [
        '[andes]\ncodes = ["PE"]\n',
        '[andes]\nname = "Andes"\ncodes = ["PER"]\n',
        '["Andes Region"]\nname = "Andes"\ncodes = ["PE"]\n',
        "andes = 1\n",
    ],
)
def test_bad_regions_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "regions.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"regions\.toml"):
        load_regions(path)
