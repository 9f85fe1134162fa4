"""What each country-like phrase means, merged from pycountry, the generated gazetteer
files and the editors' ``countries.toml`` (issue 3).

Country names and demonyms outrank places of the same spelling ("El Salvador" is the
country, not the Brazilian town). A phrase that may mean several countries, or that is
also a common word or person's name, tags a country only when the rest of the entry
names it; the matcher in :mod:`feeds.classify.countries` applies that rule.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from feeds.errors import DataFileError
from feeds.text import tokens
from feeds.tomlfile import read_toml

DATA = Path(__file__).parent / "data"
Key = tuple[str, ...]
_TABLES = ("names", "slugs", "aliases", "demonyms", "remove", "prefer", "places", "supporting")
_SUPPORTING_KEYS = {"before", "after", "list_length"}
_LISTS = ("not_countries", "needs_support", "proper_names", "person_titles")


@dataclass(frozen=True, slots=True)
class Meaning:
    """What one phrase of an entry says about the entry's countries."""

    #: Countries the phrase may name; empty for a phrase that names none ("United Nations").
    codes: frozenset[str]
    #: Tags only those of ``codes`` that the rest of the entry names.
    needs_support: bool = False
    #: The country meant when the entry names none of ``codes``; ``""`` for none.
    prefer: str = ""
    #: A place, not a country or demonym: after a first name it is a surname.
    place: bool = False
    #: The words around the name that make it a supporting mention (countries.toml
    #: ``[supporting]``): ``after “Embassy of the”``; ``""`` for none.
    context: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    """``[places]`` of countries.toml: when a place's name is enough on its own."""

    #: Smaller towns need support: an unlisted local name often matches a village elsewhere.
    small_town: int = 5_000
    #: A shared name means its largest place when it is at least this large...
    min_population: int = 100_000
    #: ... and this many times larger than any namesake.
    dominance: float = 10


def key(name: str) -> Key:
    return tuple(tokens(name))


def load_config(path: Path = DATA / "countries.toml") -> dict[str, Any]:
    """``countries.toml``, checked: every section present with the right type."""
    data, _ = read_toml(path)
    known = {country.alpha_2 for country in pycountry.countries}
    for section in _TABLES:
        if not isinstance(data.setdefault(section, {}), dict):
            raise DataFileError(f"{path}: [{section}] must be a table")
    for section in _LISTS:
        if not isinstance(data.setdefault(section, []), list):
            raise DataFileError(f"{path}: {section} must be a list")
    supporting = data["supporting"]
    if set(supporting) - _SUPPORTING_KEYS or not all(
        isinstance(supporting.get(side, []), list) for side in ("before", "after")
    ):
        raise DataFileError(f"{path}: [supporting] takes lists before and after and list_length")
    if not isinstance(supporting.get("list_length", 0), int):
        raise DataFileError(f"{path}: [supporting] list_length must be a whole number")
    unknown_limits = set(data["places"]) - set(Limits.__dataclass_fields__)
    if unknown_limits:
        raise DataFileError(f"{path}: [places] has unknown keys {sorted(unknown_limits)}")
    for section in ("names", "slugs", "aliases", "demonyms", "remove"):
        unknown = set(data[section]) - known
        if unknown:
            raise DataFileError(f"{path}: [{section}] has unknown country codes {sorted(unknown)}")
    return data


def _forms(name: str) -> set[Key]:
    """``"The Bahamas"`` also as ``"Bahamas"``; ``"Saint Lucia"`` also as ``"St Lucia"``."""
    forms = {name, re.sub(r"^[Tt]he ", "", name)}
    forms |= {re.sub(r"\bSaint\b", "St", form) for form in forms}
    return {key(form) for form in forms if key(form)}


def _shortened(name: str) -> str:
    """pycountry's inverted names, usable: ``"Bolivia, Plurinational State of"`` → ``"Bolivia"``."""
    return re.sub(r"\s*\([^)]*\)", "", name).split(",")[0].strip()


def _plural(demonym: str) -> str:
    return demonym if demonym.endswith("s") else demonym + "s"


def _read_tsv(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def country_names(config: dict[str, Any]) -> dict[Key, set[str]]:
    """Names and demonyms of countries; a shortened name yields to another's full name."""
    names: dict[Key, set[str]] = defaultdict(set)
    shortened: dict[Key, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        code = country.alpha_2
        spellings = [country.name, config["names"].get(code, ""), *config["aliases"].get(code, [])]
        spellings += [getattr(country, field, "") for field in ("official_name", "common_name")]
        for spelling in filter(None, spellings):
            for form in _forms(spelling):
                names[form].add(code)
            for form in _forms(_shortened(spelling)):
                shortened[form].add(code)
    demonyms = [(row[0], row[1]) for row in _read_tsv(DATA / "demonyms.tsv")]
    demonyms += [(name, code) for code, extra in config["demonyms"].items() for name in extra]
    for demonym, code in demonyms:
        for form in _forms(demonym) | _forms(_plural(demonym)):
            names[form].add(code)
    for form, codes in shortened.items():
        names.setdefault(form, codes)
    return names


def place_meanings(config: dict[str, Any]) -> dict[Key, Meaning]:
    """Places by name: one country, or several needing support (see ``[shared_places]``)."""
    sizes: dict[Key, dict[str, tuple[int, bool]]] = defaultdict(dict)
    common: set[Key] = set()
    for name, code, kind, population, flag in _read_tsv(DATA / "places.tsv"):
        found = key(name)
        old_population, old_subdivision = sizes[found].get(code, (0, False))
        subdivision = old_subdivision or kind == "subdivision"
        sizes[found][code] = (max(old_population, int(population)), subdivision)
        if flag == "1":
            common.add(found)
    common -= {key(name) for name in config["proper_names"]}
    limits = Limits(**config["places"])
    return {
        found: _place_meaning(by_code, found in common, limits) for found, by_code in sizes.items()
    }


@cache
def _one_country_place(code: str, needs_support: bool) -> Meaning:
    """The meaning of most of the 40,000 places, made once per country (a first load
    waits for the gazetteer)."""
    return Meaning(frozenset({code}), needs_support=needs_support, place=True)


def _place_meaning(by_code: dict[str, tuple[int, bool]], common: bool, limits: Limits) -> Meaning:
    if len(by_code) == 1:
        ((code, (population, subdivision)),) = by_code.items()
        small = population < limits.small_town and not subdivision
        return _one_country_place(code, common or small)
    codes = frozenset(by_code)
    small = all(population < limits.small_town and not sub for population, sub in by_code.values())
    if common or small or len(codes) == 1:
        return Meaning(codes, needs_support=common or small, place=True)
    minimum, dominance = limits.min_population, limits.dominance

    def size(code: str) -> float:
        population, subdivision = by_code[code]
        return max(population, minimum * dominance) if subdivision else population

    top, second = sorted(codes, key=size, reverse=True)[:2]
    subdivided = {code for code in codes if by_code[code][1]}
    if size(top) >= minimum and size(top) >= dominance * size(second) and subdivided <= {top}:
        return Meaning(frozenset({top}), place=True)
    return Meaning(codes, needs_support=True, place=True)


def load_meanings(config: dict[str, Any] | None = None) -> dict[Key, Meaning]:
    """Every phrase that says something about countries, and what it says."""
    config = config or load_config()
    names = country_names(config)
    places = place_meanings(config)
    for code, spellings in config["remove"].items():
        for spelling in spellings:
            for form in _forms(spelling) | _forms(_plural(spelling)):
                names.get(form, set()).discard(code)
                if form in places:
                    places[form] = replace(places[form], codes=places[form].codes - {code})
    meanings = {form: meaning for form, meaning in places.items() if meaning.codes}
    for form, codes in names.items():
        if codes:
            meanings[form] = Meaning(frozenset(codes), needs_support=len(codes) > 1)
    for spelling in config["needs_support"]:
        for form in _forms(spelling) | _forms(_plural(spelling)):
            codes = names.get(form, set()) | (places[form].codes if form in places else set())
            if codes:
                meanings[form] = Meaning(frozenset(codes), needs_support=True)
    for spelling, code in config["prefer"].items():
        _set_preference(meanings, spelling, code)
    meanings.update(_supporting_mentions(names, config["supporting"]))
    for phrase in config["not_countries"]:
        meanings[key(phrase)] = Meaning(frozenset())
    # Names are proper nouns: one starting with "the" or "s" (from "'s-Hertogenbosch")
    # would be looked up at every "the" and every "Mexico's". Supporting mentions may start
    # with any word ("border with Honduras").
    return {
        form: meaning
        for form, meaning in meanings.items()
        if meaning.context or not form[0][0].islower()
    }


def _supporting_mentions(
    names: dict[Key, set[str]], supporting: dict[str, Any]
) -> dict[Key, Meaning]:
    """Each country name with each ``[supporting]`` phrase before it, and each name and
    singular demonym with each phrase after it, as one phrase that needs support: the
    automaton then finds "Embassy of the United States" instead of "United States" at no
    cost per entry (issue 18). ("the Costa Rican border"; no "Embassy of Haitian".)"""
    demonyms = [row[0] for row in _read_tsv(DATA / "demonyms.tsv")]
    singular = {form for demonym in demonyms for form in _forms(demonym)}
    plural = {form for demonym in demonyms for form in _forms(_plural(demonym))}
    found: dict[Key, Meaning] = {}
    for side in ("before", "after"):
        skip = singular | plural if side == "before" else plural - singular
        forms = [(form, codes) for form, codes in names.items() if codes and form not in skip]
        for words in supporting.get(side, []):
            around = key(words)
            # The rule as feeds why shows it: the name comes after "Embassy of".
            context = f"{'after' if side == 'before' else 'before'} “{words}”"
            for form, codes in forms:
                phrase = (*around, *form) if side == "before" else (*form, *around)
                found[phrase] = Meaning(frozenset(codes), needs_support=True, context=context)
    return found


def list_length(config: dict[str, Any] | None = None) -> int:
    """``[supporting] list_length``: a run of this many country names is a list (0: never)."""
    config = config or load_config()
    return int(config["supporting"].get("list_length", 0))


def person_words(config: dict[str, Any] | None = None) -> frozenset[str]:
    """First names and titles: a place right after one is a surname ("Gabriel Holguín")."""
    config = config or load_config()
    lines = (DATA / "given_names.txt").read_text(encoding="utf-8").splitlines()
    names = [line for line in lines if line and not line.startswith("#")]
    return frozenset(word for name in [*names, *config["person_titles"]] for word in key(name))


def _set_preference(meanings: dict[Key, Meaning], spelling: str, code: str) -> None:
    forms = [form for form in _forms(spelling) | _forms(_plural(spelling)) if form in meanings]
    if not any(code in meanings[form].codes for form in forms):
        raise DataFileError(f"countries.toml: [prefer] {spelling!r} cannot mean {code!r}")
    for form in forms:
        if code in meanings[form].codes:
            meanings[form] = replace(meanings[form], prefer=code)
