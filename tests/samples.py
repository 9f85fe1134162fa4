"""Small archive texts shared by tests: entries whose countries and topics are known.

Each entry ends with a blank line, so that texts can be joined in any order.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from feeds.archive.entry import Diagnostic, Entry
from feeds.archive.files import ArchiveFile, ArchiveFiles
from feeds.catalog import load_catalog
from feeds.catalog.build import Sources, build
from feeds.classify.overrides import Overrides
from feeds.classify.topics import Taxonomy


def merge_files(
    files: list[tuple[str, tuple[Entry, ...], tuple[Diagnostic, ...]]],
) -> tuple[list[Entry], list[Diagnostic]]:
    """The catalog's entries (newest first) and diagnostics when these files are read, in
    this order, with no overrides and nothing held back: the catalog builder's merge."""
    parts = tuple(ArchiveFile(name, entries, None, found) for name, entries, found in files)
    sources = Sources(ArchiveFiles(parts, "v", 0), Taxonomy.packaged(), Overrides(), (), None)
    archive = build(sources).catalog.archive
    return list(archive.entries), list(archive.diagnostics)


def entry_text(date: str, title: str, summary: str) -> str:
    """One entry as the newsroom writes it: date line, title, summary."""
    return f"{date}\n\n{title}\n\n{summary}\n\n"


MEXICO_SUMMARY = (
    "Officials in Mexico City met employers to discuss fair recruitment of migrant workers."
)
MEXICO = entry_text("12 March, 2021", "Mexico hosts forum on labour migration", MEXICO_SUMMARY)
COSTA_RICA = entry_text(
    "10 March, 2021",
    "Costa Rica opens border health post",
    "The new post in Costa Rica offers vaccinations to people crossing the border.",
)
MEXICO_GUATEMALA = entry_text(
    "9 March, 2021",
    "Mexico and Guatemala sign a labour migration agreement",
    "The agreement covers seasonal workers in the south of Mexico.",
)
GUYANA = entry_text(
    "8 March, 2021",
    "Guyana trains officials on diaspora engagement",
    "Staff from ministries in Georgetown learned how to work with Guyanese abroad.",
)
#: The feeds that list :data:`MEXICO`.
MEXICO_FEEDS = ["all", "country/mexico", "topic/labour-migration", "region/central-america"]


# --- An archive edited at random, for reloads (test_catalog.py, test_changes.py) -------

TITLES = [
    "Police training in Mexicali",
    "Vaccines for migrants in Costa Rica",
    "Labour migration talks in Guatemala",
    "Border management in Honduras and El Salvador",
    "Returnees assisted in Haiti",
    "Information hubs open in Belize",
    "Recruitment of migrant workers from Mexico",
]
TODAY = dt.date(2024, 6, 1)


def dated_entry(date: dt.date, title: str, summary: str) -> str:
    return entry_text(f"{date:%d %B, %Y}", title, summary)


class RandomEditor:
    """Edits an archive the way a newsroom does, at random: one change per step."""

    NAMES = ("a.txt", "b.txt", "b2.txt", "c/d.txt", "e.txt")

    def __init__(self, directory: Path, seed: int) -> None:
        self.directory = directory
        self.rng = random.Random(seed)
        self.files: dict[str, list[str]] = {}
        for name in self.NAMES[:3]:
            self.files[name] = [self.entry() for _ in range(3)]
            self.write(name)

    def entry(self, title: str | None = None) -> str:
        date = TODAY + dt.timedelta(days=self.rng.randrange(-6, 4))
        title = title or f"{self.rng.choice(TITLES)} {self.rng.randrange(1000)}"
        return dated_entry(date, title, f"Summary {self.rng.randrange(1000)}.")

    def write(self, name: str) -> None:
        path = self.directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(self.files[name]), encoding="utf-8")

    def step(self) -> str:
        """Makes one change; returns its name."""
        rng, files = self.rng, self.files
        name = rng.choice(sorted(files))
        blocks = files[name]
        change = rng.choice(
            ["append", "append", "remove", "summary", "title", "new file", "delete file",
             "duplicate", "malformed", "touch", "overrides"]
        )  # fmt: skip
        if change == "append":
            blocks.insert(rng.randrange(len(blocks) + 1), self.entry())
        elif change == "remove" and len(blocks) > 1:
            blocks.pop(rng.randrange(len(blocks)))
        elif change == "summary":
            number = rng.randrange(len(blocks))
            blocks[number] = blocks[number].replace("Summary", "Edited summary")
        elif change == "title":
            blocks[rng.randrange(len(blocks))] = self.entry()
        elif change == "new file" and len(files) < len(self.NAMES):
            name = rng.choice([n for n in self.NAMES if n not in files])
            files[name] = [self.entry() for _ in range(rng.randrange(1, 4))]
        elif change == "delete file" and len(files) > 1:
            del files[name]
            (self.directory / name).unlink()
            return change
        elif change == "duplicate":
            other = rng.choice(sorted(files))
            blocks.append(rng.choice(files[other]))
        elif change == "malformed":
            blocks.append("Not a date\n\nA title\n\nText.\n\n")
        elif change == "touch":
            stat = (self.directory / name).stat()
            os.utime(self.directory / name, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
            return change
        elif change == "overrides":
            some_id = load_catalog(self.directory).entries[0].id
            (self.directory / "overrides.toml").write_text(
                f'["{some_id}"]\nadd_topics = ["integration"]\n', encoding="utf-8"
            )
            return change
        else:
            return "nothing"
        self.write(name)
        return change
