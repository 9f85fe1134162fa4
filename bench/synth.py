"""Synthetic archives for the benchmarks: N entries made from the real 20.

The entry text and the file layout come from ``bench_parse.py`` (dates over 2000-2025 in
every date-line shape, numbered and shuffled titles, some files with a BOM or CRLF). This
module adds variety in countries, so that per-country feeds have realistic sizes: in
three entries out of four the country the real entry names is replaced by another one
from a list of 40, which spreads the archive over many country feeds.

Archives are cached under ``bench/out/`` (ignored by git) by size and seed, so running
the benchmarks again does not write 200,000 entries again.

    .venv/bin/python bench/synth.py OUTDIR [--entries N] [--files N] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from pathlib import Path

from bench_parse import synthetic_entries, write_archive

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / "out"

#: Countries the real entries name (as written in them), replaced to vary the countries.
REAL_COUNTRIES = (
    "Costa Rica",
    "Mexico",
    "El Salvador",
    "Honduras",
    "Guatemala",
    "Panama",
    "Dominican Republic",
    "Haiti",
    "Nicaragua",
    "Belize",
)
#: Countries put in their place: a spread like a regional newsroom's.
OTHER_COUNTRIES = (
    "Argentina", "Bolivia", "Brazil", "Chile", "Colombia", "Ecuador", "Paraguay", "Peru",
    "Uruguay", "Venezuela", "Cuba", "Jamaica", "Trinidad and Tobago", "Barbados", "Bahamas",
    "Guyana", "Suriname", "Canada", "Spain", "Portugal", "Italy", "France", "Germany",
    "Morocco", "Senegal", "Nigeria", "Kenya", "Ethiopia", "Egypt", "Turkey", "Jordan",
    "Lebanon", "India", "Bangladesh", "Philippines", "Indonesia", "Thailand", "Japan",
    "Australia", "Ukraine",
)  # fmt: skip
_REAL = re.compile("|".join(re.escape(name) for name in REAL_COUNTRIES))


def vary_countries(
    entries: list[tuple[dt.date, str]], rng: random.Random
) -> list[tuple[dt.date, str]]:
    """Replace the named country in three entries out of four, consistently per entry."""
    varied = []
    for number, (date, text) in enumerate(entries):
        if number % 4:
            other = rng.choice(OTHER_COUNTRIES)
            text = _REAL.sub(other, text)
        varied.append((date, text))
    return varied


def make_archive(directory: Path, entries: int, files: int, seed: int = 2021) -> int:
    """Write a synthetic archive of ``entries`` entries in about ``files`` files; bytes."""
    rng = random.Random(seed)
    made = vary_countries(synthetic_entries(entries, rng), rng)
    return write_archive(directory, made, files)


def cached_archive(entries: int, files: int | None = None, seed: int = 2021) -> Path:
    """A synthetic archive under ``bench/out/``, written on first use and reused after.

    ``files`` defaults to one file per 500 entries (at least 2): real newsrooms write one
    file per month or so, and a reload's cost is measured per file.
    """
    files = files or max(2, entries // 500)
    directory = CACHE_DIR / f"archive-{entries}-{files}-{seed}"
    done = directory / ".complete"
    if not done.exists():
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        make_archive(directory, entries, files, seed)
        done.write_text("written by bench/synth.py\n")  # hidden: not an archive file
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    written = make_archive(args.outdir, args.entries, args.files, args.seed)
    print(f"{args.entries:,} entries, {written / 2**20:.0f} MB in {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
