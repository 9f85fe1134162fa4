"""Countries: the ISO list, lookups, and tagging entries (issue 3), one trap per case."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.classify.countries import (
    Country,
    CountryMatcher,
    all_countries,
    country_by_code,
    country_by_slug,
)
from feeds.classify.evaluation import parse_corpus
from feeds.classify.gazetteer import Meaning
from feeds.classify.phrases import spaced
from feeds.errors import UnknownSelectionError

ISO_CODES = {country.alpha_2 for country in pycountry.countries}


@pytest.fixture(scope="module")
def matcher() -> CountryMatcher:
    return CountryMatcher.default()


def test_all_countries_is_every_iso_country_sorted_by_name() -> None:
    countries = all_countries()
    assert {country.code for country in countries} == ISO_CODES
    names = [country.name for country in countries]
    assert names.index("Afghanistan") == 0
    assert names.index("Åland Islands") == 1  # accents ignored when sorting


def test_slugs_are_unique_and_names_are_plain() -> None:
    countries = all_countries()
    assert len({country.slug for country in countries}) == len(countries)
    assert not [c.name for c in countries if "(" in c.name or c.name.endswith(" of")]


@pytest.mark.parametrize(
    ("code", "name", "slug"),
    [
        ("MX", "Mexico", "mexico"),
        ("CR", "Costa Rica", "costa-rica"),
        ("SV", "El Salvador", "el-salvador"),
        ("DO", "Dominican Republic", "dominican-republic"),
        ("US", "United States", "united-states"),
        ("GB", "United Kingdom", "united-kingdom"),
        ("BO", "Bolivia", "bolivia"),
        ("VE", "Venezuela", "venezuela"),
        ("RU", "Russia", "russia"),
        ("KR", "South Korea", "south-korea"),
        ("IR", "Iran", "iran"),
        ("TW", "Taiwan", "taiwan"),
        ("VN", "Vietnam", "vietnam"),
        ("LA", "Laos", "laos"),
        ("SY", "Syria", "syria"),
        ("TZ", "Tanzania", "tanzania"),
        ("MD", "Moldova", "moldova"),
        ("FM", "Micronesia", "micronesia"),
        ("BS", "Bahamas", "bahamas"),
        ("GM", "Gambia", "gambia"),
        ("CG", "Congo", "congo"),
        ("CD", "DR Congo", "dr-congo"),
    ],
)
def test_country_names_and_slugs(code: str, name: str, slug: str) -> None:
    assert country_by_code(code) == Country(code, name, slug)
    assert country_by_slug(slug) == Country(code, name, slug)


@pytest.mark.parametrize("code", ["mx", "Mx", "MX"])
def test_country_by_code_ignores_case(code: str) -> None:
    assert country_by_code(code).name == "Mexico"


@pytest.mark.parametrize("code", ["XX", "", "MEX", "mexico"])
def test_unknown_country_code(code: str) -> None:
    with pytest.raises(UnknownSelectionError):
        country_by_code(code)


@pytest.mark.parametrize("slug", ["atlantis", "", "MX", "Mexico", "costa_rica"])
def test_unknown_country_slug(slug: str) -> None:
    with pytest.raises(UnknownSelectionError):
        country_by_slug(slug)


def test_default_matcher_is_built_once() -> None:
    assert CountryMatcher.default() is CountryMatcher.default()


# Each trap of issue 3 as its own case: text → the countries it names.
TRAPS = {
    "longest: Dominican Republic is not Dominica": ("the Dominican Republic", {"DO"}),
    "longest: Dominica is not the Dominican Republic": ("Roseau, Dominica", {"DM"}),
    "longest: El Salvador is not the Brazilian town": ("IOM El Salvador", {"SV"}),
    "longest: New Mexico is in the United States": ("Las Cruces, New Mexico", {"US"}),
    "longest: Mexico City is Mexico": ("Mexico City hosted it", {"MX"}),
    "longest: Papua New Guinea is not Guinea": ("Papua New Guinea", {"PG"}),
    "longest: Equatorial Guinea is not Guinea": ("Equatorial Guinea", {"GQ"}),
    "not a country: American Chamber of Commerce": (
        "hosted by the American Chamber of Commerce Guyana",
        {"GY"},
    ),
    "not a country: United Nations": ("the United Nations system", set()),
    "not a country: Western Hemisphere": ("the Western Hemisphere Program", set()),
    "not a country: Central America": ("flows from Central America", set()),
    "not a country: North America": ("flows to North America", set()),
    "not a country: Latin Americans": ("Latin Americans abroad", set()),
    "not a country: IOM": ("IOM and ILO", set()),
    "shared: Georgetown alone": ("a meeting in Georgetown", set()),
    "shared: Georgetown with Guyana": ("Georgetown, Guyana", {"GY"}),
    "shared: San José alone": ("the office in San José", set()),
    "shared: San José with Costa Rica": ("San José, Costa Rica", {"CR"}),
    "shared: Santiago alone": ("a workshop in Santiago", set()),
    "shared: Santiago with Chile": ("Santiago, Chile", {"CL"}),
    "shared: Santiago with the Dominican Republic": ("Santiago, Dominican Republic", {"DO"}),
    "shared: Victoria alone": ("in Victoria", set()),
    "shared: Victoria with Seychelles": ("Victoria, Seychelles", {"SC"}),
    "shared: support is not every namesake": ("San José and Mexico", {"MX"}),
    "abbreviation: US": ("US authorities", {"US"}),
    "abbreviation: U.S.": ("the U.S. Government", {"US"}),
    "abbreviation: USA": ("USA", {"US"}),
    "abbreviation: UK": ("UK aid", {"GB"}),
    "abbreviation: U.K.": ("the U.K. embassy", {"GB"}),
    "money: US$ is not a country": ("a donation of US$ 50,000", set()),
    "money: US$ beside a real US": ("US$ 5 from the US", {"US"}),
    "official name: Republic of Haiti": ("the Republic of Haiti", {"HT"}),
    "official name: Bolivia, Plurinational State of": ("Plurinational State of Bolivia", {"BO"}),
    "short name: Bolivia": ("Bolivia", {"BO"}),
    "short name: Venezuela": ("Venezuela", {"VE"}),
    "alias: Ivory Coast": ("Ivory Coast", {"CI"}),
    "alias: Korea": ("Korea International Cooperation Agency", {"KR"}),
    "Saint as St": ("St. Kitts and Nevis and St Lucia", {"KN", "LC"}),
    "possessive": ("Mexico's southern border", {"MX"}),
}

ACCENTS = {
    "Potosí": ("San Luis Potosí", {"MX"}),
    "Potosi": ("San Luis Potosi", {"MX"}),
    "Panamá": ("Panamá", {"PA"}),
    "Panama": ("Panama", {"PA"}),
    "Elías Piña": ("Elías Piña province", {"DO"}),
    "Elias Pina": ("Elias Pina", {"DO"}),
    "Haïti": ("Haïti", {"HT"}),
    "Bogotá": ("Bogotá", {"CO"}),
    "Bogota": ("Bogota", {"CO"}),
}

DEMONYMS = {
    "Mexican": ("Mexican society", {"MX"}),
    "Mexicans": ("Mexicans abroad", {"MX"}),
    "Haitian": ("Haitian authorities", {"HT"}),
    "Haitians": ("Haitians", {"HT"}),
    "Costa Rican": ("a Costa Rican canton", {"CR"}),
    "Costa Ricans": ("Costa Ricans", {"CR"}),
    "Salvadoran": ("Salvadoran officials", {"SV"}),
    "Salvadorans": ("returned Salvadorans", {"SV"}),
    "Venezuelan": ("a Venezuelan family", {"VE"}),
    "Venezuelans": ("Venezuelans in Peru", {"VE", "PE"}),
    "Guatemalan": ("Guatemalan workers", {"GT"}),
    "Argentine": ("Argentine authorities", {"AR"}),
    "Dominican alone is the Republic": ("Dominican migrants", {"DO"}),
    "Dominican beside Dominica": ("Dominican officials in Roseau, Dominica", {"DM"}),
    "Americans": ("Americans", {"US"}),
    "language is not a country": ("materials in Spanish and French", set()),
    "language beside its country": ("Spanish aid to Spain", {"ES"}),
}

PLACES = {
    "city: Mexicali": ("Mexicali municipal police", {"MX"}),
    "city: Tegucigalpa": ("Tegucigalpa", {"HN"}),
    "canton: Desamparados": ("the small business sector of Desamparados", {"CR"}),
    "town: Comendador": ("the municipality of Comendador", {"DO"}),
    "state: San Luis Potosí": ("the state of San Luis Potosí", {"MX"}),
    "state: Texas": ("arriving in Texas", {"US"}),
    "capital: Port-au-Prince": ("Port-au-Prince", {"HT"}),
    "capital: Managua": ("Managua", {"NI"}),
    "capital much larger than namesakes: Santo Domingo": ("Santo Domingo", {"DO"}),
    "capital preferred by editors: San Salvador": ("San Salvador", {"SV"}),
    "capital larger than namesakes: Panama City": ("Panama City", {"PA"}),
    "Georgia alone is no country": ("Georgia", set()),
    "Georgia with Tbilisi": ("Tbilisi, Georgia", {"GE"}),
    "common word: Police": ("Police officers attended", set()),
    "common word: Reading": ("Reading the report", set()),
    "common word: Mobile": ("Mobile units", set()),
    "common word: Union": ("Union leaders", set()),
    "person's name: García": ("said Juan García", set()),
    "person's name: David": ("David Smith", set()),
    "surname after a first name: Holguín": ("said Gabriel Holguín", set()),
    "surname after a first name: Tábora": ("said Rocío Tábora", set()),
    "surname after two first names: Linares": ("said María Elena Linares", set()),
    "surname after a title: Tábora": ("Minister Tábora", set()),
    "surname beside its country": ("Gabriel Holguín of Holguín, Cuba", {"CU"}),
    "a month is not a first name": ("in May Tapachula hosted", {"MX"}),
    "a country is never a surname": ("said Maria Mexico", {"MX"}),
    "small shared village: Carrizal": ("the post of Carrizal", set()),
    "unlisted local name matching a small village elsewhere": (
        "the Corinto and El Amatillo border posts of Honduras",
        {"HN"},
    ),
    "small village with its country": ("Amatillo, Mexico", {"MX"}),
    "language: Haitian Creole": ("leaflets in Haitian Creole", set()),
    "capitals match case: ILO is not Ilo, Peru": ("ILO", set()),
}


@pytest.mark.parametrize(("text", "expected"), TRAPS.values(), ids=TRAPS.keys())
def test_traps(matcher: CountryMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text, "") == expected


@pytest.mark.parametrize(("text", "expected"), ACCENTS.values(), ids=ACCENTS.keys())
def test_accents_are_optional(matcher: CountryMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text, "") == expected


@pytest.mark.parametrize(("text", "expected"), DEMONYMS.values(), ids=DEMONYMS.keys())
def test_demonyms(matcher: CountryMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text, "") == expected


@pytest.mark.parametrize(("text", "expected"), PLACES.values(), ids=PLACES.keys())
def test_places(matcher: CountryMatcher, text: str, expected: set[str]) -> None:
    assert matcher.match(text, "") == expected


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("Workshop in Georgetown", "The Government of Guyana attended.", {"GY"}),
        ("Office in San José", "", set()),
        ("", "Haitian and Dominican authorities met.", {"DO", "HT"}),
        ("Costa", "Rica", set()),  # a name never spans the title and the summary
    ],
)
def test_title_and_summary_support_each_other(
    matcher: CountryMatcher, title: str, summary: str, expected: set[str]
) -> None:
    assert matcher.match(title, summary) == expected


def test_matcher_rules_on_its_own_meanings() -> None:
    matcher = CountryMatcher(
        {
            ("Alpha",): Meaning(frozenset({"AA"})),
            ("Alpha", "Beta"): Meaning(frozenset()),
            ("Twin",): Meaning(frozenset({"AA", "BB"}), needs_support=True),
            ("Pair",): Meaning(frozenset({"BB", "CC"}), needs_support=True, prefer="CC"),
        }
    )
    assert matcher.match("Alpha Beta", "") == frozenset()
    assert matcher.match("Twin", "") == frozenset()
    assert matcher.match("Twin", "Alpha") == {"AA"}
    assert matcher.match("Pair", "") == {"CC"}
    assert matcher.match("Pair Twin", "Alpha") == {"AA", "CC"}


def test_a_place_after_a_person_word_needs_support() -> None:
    meanings = {("Town",): Meaning(frozenset({"AA"}), place=True)}
    matcher = CountryMatcher(meanings, person_words=frozenset({"Ana"}))
    assert matcher.match("Ana Town", "") == frozenset()
    assert matcher.match("Ana Town", "Town") == {"AA"}
    assert CountryMatcher(meanings).match("Ana Town", "") == {"AA"}


@given(st.text(max_size=300), st.text(max_size=300))
def test_any_text_gives_iso_codes(title: str, summary: str) -> None:
    assert CountryMatcher.default().match(title, summary) <= ISO_CODES


# Issue 18: the rules learnt from the corpus (tests/data/corpus), each with a release of its
# 'learn' split: the item, whether its title is read, the paragraphs read, the countries.
CORPUS = {
    item.id: item
    for item in parse_corpus(
        (Path(__file__).parent / "data" / "corpus" / "releases.jsonl").read_text("utf-8")
    )
}
SUPPORTING = {
    "a donor's embassy (after 'Embassy of the')": ("c014", True, (0,), {"CR"}),
    "a donor's ministry (after 'Department of State of the')": ("c021", False, (0, 1), {"CR"}),
    "a donor and the direction of travel ('State Department', 'bound')": (
        "c020",
        False,
        (0, 3),
        {"MX"},
    ),
    "a neighbour that locates a place (after 'border department with')": (
        "c007",
        True,
        (0,),
        {"NI"},
    ),
    "a border named after a neighbour (before 'border')": ("c046", False, (1,), {"NI"}),
    "a job title and the list after it (after 'IOM for')": ("c049", True, (0, 3), {"HN"}),
    "a list of delegations at a meeting held in one country": ("c036", True, (0,), {"CR"}),
    "a list of a programme's countries where one opens an office": (
        "c023",
        True,
        (0, 1),
        {"MX"},
    ),
}


@pytest.mark.parametrize(
    ("item_id", "title", "paragraphs", "expected"), SUPPORTING.values(), ids=SUPPORTING.keys()
)
def test_supporting_mentions_need_support(
    matcher: CountryMatcher,
    item_id: str,
    title: bool,
    paragraphs: tuple[int, ...],
    expected: set[str],
) -> None:
    item = CORPUS[item_id]
    summary = "\n".join(item.summary[n] for n in paragraphs)
    assert matcher.match(item.title if title else "", summary) == expected


def test_a_list_stands_when_the_entry_names_no_other_country(matcher: CountryMatcher) -> None:
    # c023's third paragraph alone: the counters of six countries, and no host named.
    third = CORPUS["c023"].summary[2].split(". In the following months")[0]
    assert matcher.match("", third) == {"CR", "GT", "HN", "MX", "PA", "SV"}


def test_explain_gives_the_rule_of_each_phrase(matcher: CountryMatcher) -> None:
    item = CORPUS["c049"]
    text = spaced(matcher.spaced_words(item.title), matcher.spaced_words(item.summary[3]))
    countries, trace = matcher.explain_spaced(text)
    assert countries == matcher.match_spaced(text) == {"HN"}
    rules = [(text[f.start + 1 : f.end - 1].decode(), f.rule) for f in trace]
    assert rules[0] == ("Honduras", "names it")  # the title
    assert ("IOM  for  El  Salvador", "after “IOM for”: not named elsewhere") in rules
    assert ("Guatemala", "in a list after “IOM for”: not named elsewhere") in rules
    assert rules[-1] == (
        "Honduras",
        "in a list after “IOM for”, supported: the entry names it elsewhere",
    )
