"""The corpus evaluation (issue 18): parsing a corpus, and the figures of each split."""

from __future__ import annotations

import json

import pytest

from feeds.classify.evaluation import evaluate, parse_corpus, report
from feeds.errors import DataFileError


def line(item_id: str, split: str, countries: list[str], topics: list[str]) -> str:
    return json.dumps(
        {
            "id": item_id,
            "date": "2018-01-05",
            "title": f"Title {item_id}",
            "summary": ["A paragraph."],
            "url": "https://example.org/",
            "countries": countries,
            "topics": topics,
            "notes": "",
            "split": split,
        }
    )


CORPUS = "\n".join(
    [
        line("c001", "learn", ["MX"], ["health", "research"]),
        line("c002", "learn", ["GT"], ["health"]),
        line("c003", "test", [], ["governance"]),
    ]
)
# The classifier's answers: c001 exactly right, c002 an extra country and topic, c003 a
# missing topic.
ANSWERS = {
    "Title c001": (("MX",), ("health", "research")),
    "Title c002": (("GT", "US"), ("health", "protection")),
    "Title c003": ((), ()),
}


def tag(title: str, summary: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return ANSWERS[title]


def test_scores_per_split() -> None:
    learn, test = evaluate(parse_corpus(CORPUS), tag)
    assert (learn.split, len(learn.results), test.split, len(test.results)) == (
        "learn",
        2,
        "test",
        1,
    )
    assert learn.countries_accuracy == 0.5
    assert learn.topic_precision == 3 / 4
    assert learn.topic_recall == 1.0
    assert learn.topic_f1 == pytest.approx(2 * 0.75 / 1.75)
    assert [result.item.id for result in learn.mistakes] == ["c002"]
    assert test.countries_accuracy == 1.0
    assert (test.topic_precision, test.topic_recall, test.topic_f1) == (1.0, 0.0, 0.0)


def test_report_lists_the_mistakes_of_the_splits_asked() -> None:
    scores = evaluate(parse_corpus(CORPUS), tag)
    lines = report(scores, mistakes_of=("learn",))
    assert lines[0] == (
        "learn: 2 items, countries exact 0.500, topics precision 0.750 recall 1.000 F1 0.857"
    )
    assert lines[1] == "  c002 countries +US; topics +protection  (Title c002)"
    assert lines[2].startswith("test: 1 items, countries exact 1.000")
    assert len(lines) == 3
    assert report(scores)[-1] == "  c003 topics -governance  (Title c003)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "corpus.jsonl:2: "),
        ('{"id": "c002"}', "corpus.jsonl:2: missing date, title"),
        (line("c002", "train", [], []), "corpus.jsonl:2: split must be one of learn, test"),
        (line("c002", "learn", ["MX"], []).replace('["MX"]', '"MX"'), "must be lists"),
    ],
)
def test_a_bad_line_is_named(text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        parse_corpus(line("c001", "learn", [], []) + "\n" + text, "corpus.jsonl")


def test_blank_lines_are_skipped() -> None:
    assert len(parse_corpus("\n" + CORPUS + "\n\n")) == 3
