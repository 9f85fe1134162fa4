"""Classification benchmark (issue 3): countries and topics of 100,000 entries.

The entries are made from the 20 real ones: titles numbered and, every other one, with
their words shuffled; summaries of one or two paragraphs. Only classification is timed;
the time to load the gazetteer and taxonomy is printed apart, and so is the share spent
cutting text into words (``feeds.text.tokens``).

It prints figures; it is not a test. Budget: well under 25 µs per entry on one core.

    .venv/bin/python bench/bench_classify.py [--entries N] [--seed N]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from pathlib import Path

from feeds.archive import ArchiveLoader
from feeds.classify import Classifier
from feeds.entry import Entry
from feeds.text import tokens

REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"
BUDGET_US = 25.0


def synthetic_entries(count: int, rng: random.Random) -> list[Entry]:
    real = ArchiveLoader(REAL_ARCHIVE).load().entries
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
    args = parser.parse_args()
    entries = synthetic_entries(args.entries, random.Random(args.seed))
    chars = sum(len(e.title) + sum(map(len, e.summary)) for e in entries) / len(entries)

    started = time.perf_counter()
    classifier = Classifier()
    loaded = time.perf_counter() - started

    started, cpu_started = time.perf_counter(), time.process_time()
    tagged = [classifier.classify(entry) for entry in entries]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    started = time.perf_counter()
    for entry in entries:
        tokens(entry.title), tokens("\n".join(entry.summary))
    cutting = time.perf_counter() - started

    per_entry = elapsed / len(entries) * 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"entries:            {len(entries):,} (average {chars:.0f} characters)")
    print(f"load data files:    {loaded:.2f} s (once per process)")
    print(f"classify:           {elapsed:.2f} s = {per_entry:.1f} µs per entry")
    print(f"  CPU time:          {cpu / len(entries) * 1e6:.1f} µs per entry (less noisy)")
    print(f"  of which tokens(): {cutting / len(entries) * 1e6:.1f} µs per entry")
    print(
        f"tagged:             {sum(bool(e.countries) for e in tagged):,} with countries, "
        f"{sum(bool(e.topics) for e in tagged):,} with topics"
    )
    print(f"peak memory (RSS):  {peak_mb:.0f} MB for the whole process")
    verdict = "within" if per_entry < BUDGET_US else "OVER"
    print(f"{verdict} the {BUDGET_US:.0f} µs budget")
    sys.exit(0)


if __name__ == "__main__":
    main()
