"""Search (issue 17): how long a ``q=`` takes over 200,000 entries.

For each query (bench_scale's realistic words and pairs, then the query language:
phrases, ``-word``, ``OR``): the time of the first search after the load (which merges
the files' postings of each clause), then the median of the search alone (the sorted
keys of every hit, as a feed or page gets them), of ``sort=relevance`` over those hits,
and of the whole 20-item Atom feed. It prints figures; it is not a test.

    .venv/bin/python bench/bench_search.py [--entries 200000] [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_scale import QUERIES, site_and_urls
from synth import cached_archive

TARGET_MS = 5.0
LANGUAGE_QUERIES = (
    '"information hub"', '"migrant workers" -covid', "haiti OR honduras", "migrants -mexico",
    '"ethical recruitment" OR trafficking', "informacion", "hub",
)  # fmt: skip


def times_ms(work: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def median_ms(work: Callable[[], object], runs: int) -> float:
    return statistics.median(times_ms(work, runs))


def measure(catalog: Any, query: str, runs: int) -> tuple[int, float, float, float, float]:
    """(hits, first search ms, search ms, relevance ms, feed ms) of one query: the first
    search after a load merges the files' postings of its clauses; later ones reuse them."""
    from feeds.catalog.selection import ALL
    from feeds.documents.feed import FeedRequest, build_feed, parse_params

    site, urls = site_and_urls()
    params = parse_params({"q": [query]}, catalog, default_limit=20, max_limit=100)
    words = params.query.words
    index = catalog.search_index

    def search() -> Any:
        return catalog.select(catalog.keys, params.query)

    def feed() -> bytes:
        return build_feed(FeedRequest(catalog, ALL, params, site, urls, 20), "atom")

    first, *again = times_ms(search, runs + 1)
    return (
        len(search()),
        first,
        statistics.median(again),
        median_ms(lambda: index.by_relevance(search(), words), runs),
        median_ms(feed, runs),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    from feeds.catalog import CatalogLoader

    directory = cached_archive(args.entries)
    started = time.perf_counter()
    catalog = CatalogLoader(directory).load()
    print(f"{len(catalog.entries):,} entries loaded in {time.perf_counter() - started:.1f} s")
    print(f"  {'q':<38} {'hits':>8} {'first':>8} {'search':>8} {'relevance':>10} {'feed':>8}")
    rows = {}
    for query in (*QUERIES, *LANGUAGE_QUERIES):
        rows[query] = row = measure(catalog, query, args.runs)
        hits, first, search, relevance, feed = row
        print(f"  {query:<38} {hits:>8,} {first:>7.2f}ms {search:>7.3f}ms {relevance:>8.2f}ms "
              f"{feed:>6.2f}ms")  # fmt: skip
    columns = ((1, "first search"), (2, "search"), (3, "relevance"), (4, "20-item feed"))
    for column, name in columns:
        median = statistics.median(row[column] for row in rows.values())
        print(f"median {name:<14} {median:7.3f} ms over {len(rows)} queries")
    median = statistics.median(row[2] for row in rows.values())
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"q= search, median < {TARGET_MS:g} ms at {len(catalog.entries):,} entries: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
