"""Region feeds (Central America, the Caribbean, ...), computed from entries' countries.

Membership is data (``data/regions.toml``), so a region feed never needs its own tags:
an entry is in a region when one of its countries is (issue 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from feeds.errors import DataFileError, UnknownSelectionError
from feeds.text import slugify
from feeds.tomlfile import read_toml

_REGIONS_FILE = Path(__file__).parent / "data" / "regions.toml"


@dataclass(frozen=True, slots=True)
class Region:
    """A group of countries with its own feed."""

    #: URL-safe identifier, the table name in ``regions.toml``: ``central-america``.
    slug: str
    #: Display name: ``Central America``.
    name: str
    #: ISO 3166-1 alpha-2 codes of its countries.
    codes: frozenset[str]


@cache
def all_regions() -> tuple[Region, ...]:
    """Every region, in file order."""
    return load_regions(_REGIONS_FILE)


def load_regions(path: Path) -> tuple[Region, ...]:
    """Regions from a ``regions.toml``; raises :class:`DataFileError` on a bad file."""
    data, _ = read_toml(path)
    regions = []
    for slug, table in data.items():
        codes = table.get("codes") if isinstance(table, dict) else None
        name = table.get("name") if isinstance(table, dict) else None
        if slug != slugify(slug) or not isinstance(name, str) or not isinstance(codes, list):
            raise DataFileError(f"{path}: region {slug!r} needs a slug, a name and codes")
        if not all(isinstance(code, str) and len(code) == 2 for code in codes):
            raise DataFileError(f"{path}: region {slug!r} has a code that is not alpha-2")
        regions.append(Region(slug, name, frozenset(code.upper() for code in codes)))
    return tuple(regions)


def region_by_slug(slug: str) -> Region:
    """The region called ``slug``; :class:`UnknownSelectionError` if there is none."""
    for region in all_regions():
        if region.slug == slug:
            return region
    raise UnknownSelectionError(f"unknown region: {slug!r}")


def regions_of(codes: Iterable[str]) -> tuple[str, ...]:
    """Slugs of the regions that contain any of ``codes``, in file order."""
    wanted = frozenset(codes)
    return tuple(region.slug for region in all_regions() if region.codes & wanted)
