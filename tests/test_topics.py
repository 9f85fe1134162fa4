"""Topics: the taxonomy file, its rules, and tagging entries (issue 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.classify.evaluation import parse_corpus
from feeds.classify.phrases import spaced
from feeds.classify.topics import Taxonomy, Topic, inflections, rule_phrases
from feeds.errors import DataFileError, UnknownSelectionError
from feeds.text import spaced_tokens

SLUGS = [
    "labour-migration",
    "border-management",
    "governance",
    "protection",
    "children",
    "gender",
    "counter-trafficking",
    "emergencies",
    "health",
    "integration",
    "information",
    "diaspora",
    "research",
    "return-reintegration",
    "climate",
    "capacity-building",
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.packaged()


def test_packaged_taxonomy_has_the_sixteen_topics(taxonomy: Taxonomy) -> None:
    assert [topic.slug for topic in taxonomy.topics] == SLUGS
    assert all(topic.name and topic.description for topic in taxonomy.topics)


def test_packaged_taxonomy_is_loaded_once() -> None:
    assert Taxonomy.packaged() is Taxonomy.packaged()


def test_by_slug(taxonomy: Taxonomy) -> None:
    assert taxonomy.by_slug("health") == Topic(
        "health", "Health", "Migrants' health, health services and COVID-19."
    )


@pytest.mark.parametrize("slug", ["", "Health", "covid", "labour_migration"])
def test_unknown_topic(taxonomy: Taxonomy, slug: str) -> None:
    with pytest.raises(UnknownSelectionError):
        taxonomy.by_slug(slug)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("train", {"train", "trains", "trained", "training"}),
        ("integrate", {"integrates", "integrated", "integrating"}),
        ("study", {"studies", "studied"}),
        ("plan", {"planned", "planning"}),
        ("remittance", {"remittances"}),
        ("smuggle", {"smuggled", "smuggling"}),
    ],
)
def test_inflections(word: str, forms: set[str]) -> None:
    assert forms <= inflections(word)


@pytest.mark.parametrize(
    ("rule", "included", "excluded"),
    [
        ("migrant worker", ("migrant", "workers"), ("migrants", "worker")),
        ("=report", ("report",), ("reported",)),
        ("cross-border", ("cross", "borders"), ("crossborder",)),
        ("=COVID-19", ("covid", "19"), ("covid",)),
        ("WhatsApp", ("whatsapp",), ("whats", "app")),  # any case matches it
    ],
)
def test_rule_phrases(rule: str, included: tuple[str, ...], excluded: tuple[str, ...]) -> None:
    phrases = set(rule_phrases(rule))
    assert included in phrases
    assert excluded not in phrases


# Title, summary → topics that must be present, topics that must be absent.
CASES = {
    "inflection: trained": ("IOM trained police officers", "", {"capacity-building"}, set()),
    "inflection: training": ("", "a training for consuls", {"capacity-building"}, set()),
    "inflection: trains": ("IOM trains border officials", "", {"capacity-building"}, set()),
    "word boundary: training is not rain": ("", "heavy rain", set(), {"capacity-building"}),
    "word boundary: childhood, not child": ("", "childish", set(), {"children"}),
    "hint in the summary once is not enough": (
        "Information services",
        "in the context of the emergency due to COVID-19",
        {"information"},
        {"emergencies", "health"},
    ),
    "hint in the title is enough": ("COVID-19 response for migrants", "", {"health"}, set()),
    "hint twice in the summary is enough": (
        "",
        "quarantine measures and social distancing",
        {"health"},
        set(),
    ),
    "title-only rule in the title": ("Return of 30 migrants", "", {"return-reintegration"}, set()),
    "title-only rule in the summary": ("", "the return to school", set(), {"return-reintegration"}),
    "ignored phrase": ("", "in the course of the year", set(), {"capacity-building"}),
    "ignored phrase: civil protection": (
        "",
        "the Directorate of Civil Protection distributed kits",
        set(),
        {"protection"},
    ),
    "shelter after a hurricane is not protection": (
        "Shelter kits after Hurricane Iota",
        "",
        {"emergencies"},
        {"protection"},
    ),
    "passing mention: border areas": (
        "",
        "information campaigns in border areas",
        {"information"},
        {"border-management"},
    ),
    "passing mention: health services": (
        "",
        "migrants receive information on their rights and health services",
        set(),
        {"health"},
    ),
    "brand name as written": ("WhatsApp line for migrants", "", {"information"}, set()),
    "longest rule wins": (
        "",
        "integrated border management",
        {"border-management"},
        {"integration"},
    ),
    "several topics": (
        "Workshop on trafficking in persons for women leaders",
        "",
        {"capacity-building", "counter-trafficking", "gender"},
        set(),
    ),
    "no topic": ("IOM celebrates its anniversary", "A ceremony was held.", set(), set(SLUGS)),
    "labour migration": ("", "ethical recruitment of migrant workers", {"labour-migration"}, set()),
    "border management": ("", "cross-border cooperation", {"border-management"}, set()),
    "governance": ("", "the Regional Conference on Migration", {"governance"}, set()),
    "protection": ("", "humanitarian assistance for vulnerable migrants", {"protection"}, set()),
    "children": ("", "unaccompanied adolescents", {"children"}, set()),
    "gender": ("", "survivors of gender-based violence", {"gender"}, set()),
    "counter-trafficking": ("", "migrant smuggling networks", {"counter-trafficking"}, set()),
    "not drug trafficking": ("", "drug trafficking routes", set(), {"counter-trafficking"}),
    "emergencies": ("", "after Hurricane Eta", {"emergencies"}, set()),
    "health": ("", "mental health services", {"health"}, set()),
    "integration": ("", "socioeconomic inclusion of migrants", {"integration"}, set()),
    "information": ("", "a new hotline for migrants", {"information"}, set()),
    "diaspora": ("", "remittances sent home", {"diaspora"}, set()),
    "research": ("", "a survey of returnees found", {"research"}, set()),
    "return and reintegration": ("", "reintegration of returnees", {"return-reintegration"}, set()),
    "climate": ("", "climate change and migration", {"climate"}, set()),
    "capacity building": ("", "two virtual lectures", {"capacity-building"}, set()),
}


@pytest.mark.parametrize(
    ("title", "summary", "present", "absent"), CASES.values(), ids=CASES.keys()
)
def test_match(
    taxonomy: Taxonomy, title: str, summary: str, present: set[str], absent: set[str]
) -> None:
    topics = taxonomy.match(title, summary)
    assert present <= topics
    assert not absent & topics


def test_every_topic_has_a_case() -> None:
    covered = set().union(*(present for _, _, present, _ in CASES.values()))
    assert covered == set(SLUGS)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[[topic]]
slug = "water"
name = "Water"
description = "Water and sanitation."
terms = ["water"]
title_terms = ["=well"]
"""


def test_a_taxonomy_file_replaces_the_packaged_one(tmp_path: Path) -> None:
    taxonomy = Taxonomy.parse(GOOD)
    assert [topic.slug for topic in taxonomy.topics] == ["water"]
    assert taxonomy.match("A well", "clean waters") == {"water"}
    assert taxonomy.match("", "a well") == frozenset()
    with pytest.raises(UnknownSelectionError):
        taxonomy.by_slug("health")


BAD = {
    "syntax error": ('[[topic]]\nslug = "a"\nname = \n', "taxonomy.toml:3: invalid TOML"),
    "unknown top-level key": ("topics = []\n", "taxonomy.toml:1: unknown key 'topics'"),
    "no topics": ("ignore = []\n", "no [[topic]] tables"),
    "unknown topic key": (GOOD + "weight = 3\n", "taxonomy.toml:2: unknown key 'weight'"),
    "bad slug": (GOOD.replace('"water"', '"Water Topic"', 1), "must be lower-case words"),
    "duplicate slug": (GOOD + GOOD, "taxonomy.toml:9: topic 'water' appears twice"),
    "no name": (GOOD.replace('name = "Water"', ""), "needs a name and a description"),
    "no rules": (GOOD.replace('terms = ["water"]', "").replace('["=well"]', "[]"), "no rules"),
    "rule not a string": (GOOD.replace('["water"]', "[3]"), "lists of words or phrases"),
    "empty rule": (GOOD.replace('["water"]', '["--"]'), "lists of words or phrases"),
    "ignore not a list": ("ignore = 'x'\n" + GOOD, "taxonomy.toml:1: ignore must be a list"),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_bad_taxonomy_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message.replace("[", r"\[")):
        Taxonomy.parse(text)


# Issue 18: the rules of taxonomy.toml learnt from the corpus (tests/data/corpus), each with
# a release of its 'learn' split: the item, whether its title is read, the paragraphs read,
# topics it must have and topics it must not.
CORPUS = {
    item.id: item
    for item in parse_corpus(
        (Path(__file__).parent / "data" / "corpus" / "releases.jsonl").read_text("utf-8")
    )
}
LEARNT = {
    "ignore: a donor's name (Bureau of Population, Refugees and Migration)": (
        "c020",
        False,
        (3,),
        set(),
        {"protection"},
    ),
    "ignore: partners' names (Save the Children, Young Women Migrants Group)": (
        "c046",
        False,
        (0,),
        {"children"},
        {"gender"},
    ),
    "ignore: a partner's name (SOS Children's Villages)": (
        "c049",
        False,
        (1,),
        set(),
        {"children"},
    ),
    "ignore: a commission's name (against Human Trafficking and ...)": (
        "c041",
        False,
        (2,),
        {"children"},
        {"counter-trafficking"},
    ),
    "humanitarian relief is protection, not an emergency": (
        "c042",
        True,
        (0,),
        {"protection"},
        {"emergencies"},
    ),
    "human rights in a course's name is a hint": ("c039", True, (0,), set(), {"protection"}),
    "psychosocial support is health, not protection": (
        "c035",
        True,
        (),
        {"health"},
        {"protection"},
    ),
    "migration governance": ("c001", True, (0,), {"governance"}, set()),
    "the Caribbean Migration Consultations (CMC)": ("c043", True, (0,), {"governance"}, set()),
    "migration management in a title": ("c007", True, (), {"governance"}, set()),
    "agreements on an action plan": ("c036", True, (0,), {"governance"}, set()),
    "women in migration": ("c006", False, (0,), {"gender", "governance"}, set()),
    "migrants returning to their country": ("c027", False, (0,), {"return-reintegration"}, set()),
    "MigrantApp": ("c032", True, (), {"information"}, set()),
    "radio messages": ("c029", True, (), {"information"}, set()),
    "labour migration statistics": ("c054", False, (0,), {"labour-migration", "research"}, set()),
    "a programme's capacity-building component is a hint": (
        "c001",
        True,
        (0,),
        set(),
        {"capacity-building"},
    ),
    "strengthen their capacities": ("c031", True, (0,), {"capacity-building"}, set()),
}


@pytest.mark.parametrize(
    ("item_id", "title", "paragraphs", "present", "absent"), LEARNT.values(), ids=LEARNT.keys()
)
def test_rules_learnt_from_the_corpus(
    taxonomy: Taxonomy,
    item_id: str,
    title: bool,
    paragraphs: tuple[int, ...],
    present: set[str],
    absent: set[str],
) -> None:
    item = CORPUS[item_id]
    topics = taxonomy.match(
        item.title if title else "", "\n".join(item.summary[n] for n in paragraphs)
    )
    assert present <= topics
    assert not absent & topics


def test_statistics_alone_are_a_hint(taxonomy: Taxonomy) -> None:
    # c039: "Migration is a human phenomenon and so goes beyond than just numbers and statistics."
    first = CORPUS["c039"].summary[0].split(". To understand")[0]
    assert "research" not in taxonomy.match("", first)


def test_explain_gives_the_points_of_each_phrase(taxonomy: Taxonomy) -> None:
    item = CORPUS["c046"]
    text = spaced(spaced_tokens(item.title), spaced_tokens(item.summary[0]))
    topics, trace = taxonomy.explain_spaced(text)
    assert topics == taxonomy.match_spaced(text)
    found = {text[f.start + 1 : f.end - 1].decode().lower(): f for f in trace}
    assert found["save  the  children"].ignored
    assert found["children"].in_title and found["children"].tags == {"children"}
    assert ("gender", 1) in found["women"].points and "gender" not in topics
