"""``feeds why`` and ``feeds evaluate``: classification explained and measured (issue 18)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from feeds.errors import UnknownSelectionError

CORPUS = Path("tests/data/corpus/releases.jsonl")


def register(commands: Any) -> None:
    """Add the commands to ``feeds``' subparsers."""
    from feeds.cli import _ARCHIVE_HELP

    why = commands.add_parser(
        "why", help="show which phrase gave each country and topic of an entry, and why "
        "other candidates were rejected")  # fmt: skip
    why.add_argument("entry_id", metavar="ENTRY_ID", help="the entry's id (see feeds export)")
    why.add_argument("--archive", type=Path, default=None, metavar="DIR", help=_ARCHIVE_HELP)
    why.set_defaults(run=cmd_why)
    evaluate = commands.add_parser(
        "evaluate", help="measure classification against a labeled corpus"
    )
    evaluate.add_argument("corpus", nargs="?", type=Path, default=CORPUS, metavar="CORPUS.jsonl",
                          help=f"JSON Lines of labeled releases (default: {CORPUS})")  # fmt: skip
    evaluate.add_argument(
        "--mistakes", choices=("all", "learn", "none"), default="all",
        help="whose mistakes to list (learn: tune without reading the test split's)")  # fmt: skip
    evaluate.set_defaults(run=cmd_evaluate)


def cmd_why(args: argparse.Namespace) -> int:
    from feeds.archive.files import OVERRIDES_FILE
    from feeds.catalog import load_catalog
    from feeds.classify.classifier import Classifier
    from feeds.classify.countries import country_by_code
    from feeds.classify.overrides import parse_overrides
    from feeds.classify.why import explanation_lines
    from feeds.cli import default_archive_dir

    directory = args.archive or default_archive_dir()
    catalog = load_catalog(directory)
    if args.entry_id not in catalog.by_id:
        raise UnknownSelectionError(f"no entry {args.entry_id!r} in {directory}")
    entry = catalog.entry_at(catalog.by_id[args.entry_id])  # overrides applied
    explanation = Classifier(taxonomy=catalog.taxonomy).explain(entry.title, entry.summary)
    try:
        text = (directory / OVERRIDES_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # none, or reported by feeds check
        text = ""
    overrides, _problems = parse_overrides(text, OVERRIDES_FILE)
    changes = [
        f"{change.replace('_', ' ', 1).replace('countries', 'country').replace('topics', 'topic')} "
        f"{value.text} (overrides.toml:{value.line})"
        for override in overrides.items
        if override.entry_id == entry.id
        for change in ("add_countries", "remove_countries", "add_topics", "remove_topics")
        for value in getattr(override, change)
    ]
    print(entry.id)
    lines = explanation_lines(explanation, lambda code: country_by_code(code).name, changes)
    print("\n".join(lines))
    if changes:
        print(f"after overrides: countries {', '.join(entry.countries) or '(none)'}; "
              f"topics {', '.join(entry.topics) or '(none)'}")  # fmt: skip
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from feeds.classify.classifier import Classifier
    from feeds.classify.evaluation import SPLITS, evaluate, parse_corpus, report

    try:
        text = args.corpus.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnknownSelectionError(f"cannot read {args.corpus}: {exc.strerror}") from None
    shown = {"all": SPLITS, "learn": ("learn",), "none": ()}[args.mistakes]
    scores = evaluate(parse_corpus(text, str(args.corpus)), Classifier().tags)
    print("\n".join(report(scores, shown)))
    return 0
