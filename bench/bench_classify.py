"""Classification benchmark (issue 3): countries and topics of 100,000 entries.

The entries are made from the 20 real ones: titles numbered and, every other one, with
their words shuffled; summaries of one or two paragraphs. Only classification is timed;
the time to load the gazetteer and taxonomy is printed apart, and so is the share spent
cutting text into words (``feeds.text.spaced_tokens``). ``Classifier.tags`` is timed, the
call the parser makes for every entry; the best of ``--runs`` passes is printed.

It prints figures; it is not a test. Budget: issue 2's 5 s for parsing and classifying
100,000 entries leaves 50 µs per entry for both; parsing takes about 16.

    .venv/bin/python bench/bench_classify.py [--entries N] [--seed N] [--runs N]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from pathlib import Path

from feeds.archive.entry import Entry
from feeds.catalog import load_catalog
from feeds.classify.classifier import Classifier
from feeds.text import spaced_tokens

REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"
BUDGET_US = 30.0


def synthetic_entries(count: int, rng: random.Random) -> list[Entry]:
    real = load_catalog(REAL_ARCHIVE).entries
    made = []
    for number in range(count):
        base = real[number % len(real)]
        words = base.title.split()
        if number % 2:
            rng.shuffle(words)
        summary = base.summary * (1 + number % 3 // 2)
        made.append(
            dataclasses.replace(base, title=f"{' '.join(words)} (no. {number})", summary=summary)
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3, help="passes over the entries")
    args = parser.parse_args()
    entries = synthetic_entries(args.entries, random.Random(args.seed))
    chars = sum(len(e.title) + sum(map(len, e.summary)) for e in entries) / len(entries)

    started = time.perf_counter()
    classifier = Classifier()
    loaded = time.perf_counter() - started

    texts = [(entry.title, entry.summary) for entry in entries]
    passes = []
    for _run in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        tags = [classifier.tags(title, summary) for title, summary in texts]
        passes.append((time.perf_counter() - started, time.process_time() - cpu_started))
    elapsed, cpu = min(passes)

    started = time.perf_counter()
    for entry in entries:
        spaced_tokens(entry.title), spaced_tokens("\n".join(entry.summary))
    cutting = time.perf_counter() - started

    per_entry = elapsed / len(entries) * 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"entries:            {len(entries):,} (average {chars:.0f} characters)")
    print(f"load data files:    {loaded:.2f} s (once per process)")
    print(
        f"classify:           {elapsed:.2f} s = {per_entry:.1f} µs per entry "
        f"(best of {len(passes)}: {', '.join(f'{run:.2f}' for run, _cpu in passes)} s)"
    )
    print(f"  CPU time:          {cpu / len(entries) * 1e6:.1f} µs per entry (less noisy)")
    print(f"  of which cutting words: {cutting / len(entries) * 1e6:.1f} µs per entry")
    print(
        f"tagged:             {sum(bool(countries) for countries, _ in tags):,} with countries, "
        f"{sum(bool(topics) for _, topics in tags):,} with topics"
    )
    print(f"peak memory (RSS):  {peak_mb:.0f} MB for the whole process")
    verdict = "within" if per_entry < BUDGET_US else "OVER"
    print(f"{verdict} the {BUDGET_US:.0f} µs budget")
    sys.exit(0)


if __name__ == "__main__":
    main()
