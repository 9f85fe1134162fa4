"""Classification against the labeled corpus (issue 18): per split, countries exact-set
accuracy, topic precision, recall and micro-F1, and the mistakes.

Items are tagged by ``Classifier.tags``, the call the archive parser makes. Rules are tuned
on the ``learn`` split only; ``--mistakes learn`` hides the ``test`` split's errors.

    .venv/bin/python bench/bench_corpus.py [CORPUS.jsonl] [--mistakes all|learn|none]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from feeds.classify.classifier import Classifier
from feeds.classify.evaluation import SPLITS, evaluate, parse_corpus, report

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus" / "releases.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--mistakes", choices=("all", "learn", "none"), default="all")
    args = parser.parse_args()
    items = parse_corpus(args.corpus.read_text(encoding="utf-8"), str(args.corpus))
    shown = {"all": SPLITS, "learn": ("learn",), "none": ()}[args.mistakes]
    print("\n".join(report(evaluate(items, Classifier().tags), shown)))


if __name__ == "__main__":
    main()
