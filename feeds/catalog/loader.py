"""Loads the catalog of one archive directory, again and again: the catalog's only I/O.

Each load reads the data files beside the archive once (:func:`read_data_files`), hands
their text to pure parsers (:meth:`Taxonomy.parse`, :func:`parse_overrides`), reads the
archive files that changed (:class:`ArchiveLoader`), and builds the catalog or updates
the last one (:mod:`feeds.catalog.build`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from feeds.archive.entry import Diagnostic, Tagger, error
from feeds.archive.files import (
    OVERRIDES_FILE,
    PARALLEL_MIN_BYTES,
    TAXONOMY_FILE,
    ArchiveLimits,
    ArchiveLoader,
    DataFile,
    read_data_files,
)
from feeds.archive.forking import collector_paused
from feeds.archive.ids import DEFAULT_TAG_AUTHORITY
from feeds.catalog import snapshot as snapshots
from feeds.catalog.build import BuildAfresh, Built, Sources, build
from feeds.catalog.model import Catalog
from feeds.catalog.search import file_postings
from feeds.catalog.update import same_day_for, update
from feeds.classify.classifier import Classifier
from feeds.classify.overrides import Overrides, parse_overrides
from feeds.classify.topics import Taxonomy
from feeds.errors import DataFileError


@dataclass
class CatalogLoader:
    """Loads the catalog of ``directory``, re-reading only what changed.

    A ``taxonomy.toml`` in the archive directory replaces the packaged taxonomy; when it
    changes, every entry is classified again. ``overrides.toml`` is applied after merging.
    When a few files changed, the last catalog is updated rather than built again:
    :attr:`builds` and :attr:`updates` count which happened.
    """

    directory: Path
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    #: Today's date where the newsroom is; entries dated later are held back until then
    #: (an embargo, or a typo: either way not news yet). ``None``: publish everything.
    today: Callable[[], dt.date] | None = None
    #: Tags each newly parsed entry; ``None``: the taxonomy's :class:`Classifier`.
    tagger: Tagger | None = None
    #: Processes to parse in (:class:`ArchiveLoader`); ``None``: one per usable core.
    workers: int | None = None
    parallel_min_bytes: int = PARALLEL_MIN_BYTES
    #: Files the archive loader refuses, and how long a changed file settles (issue 14).
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    #: Catalogs built from scratch, and catalogs updated from the last one.
    builds: int = 0
    updates: int = 0
    _taxonomy: tuple[bytes | None, Taxonomy] | None = field(default=None, repr=False)
    _overrides: tuple[bytes | None, Overrides, tuple[Diagnostic, ...]] | None = field(
        default=None, repr=False
    )
    #: Where the parsed archive is kept between runs (:mod:`feeds.catalog.snapshot`), or
    #: ``None``. The first load starts from it and writes it again if it parsed anything.
    snapshot: Path | None = None
    _archive: ArchiveLoader | None = field(default=None, repr=False)
    #: Write the snapshot from a forked process (the server: start-up does not wait).
    snapshot_in_background: bool = False
    _restored: snapshots.Results | None = field(default=None, repr=False)
    #: The last catalog made, and what updating it needs.
    _built: Built | None = field(default=None, repr=False)

    def load(self) -> Catalog:
        """The catalog of the directory as it is now (the last one if nothing changed).

        The garbage collector waits until the end: were it to run between parsing and
        indexing, it would scan every new object once more (0.2 s at 200,000 entries).
        """
        with collector_paused():
            return self._load()

    def _load(self) -> Catalog:
        data = read_data_files(self.directory, self.limits.max_file_bytes)
        taxonomy = self._current_taxonomy(data.get(TAXONOMY_FILE))
        if self._archive is None:
            tags = _ClassifierTags(taxonomy)
            self._archive = ArchiveLoader(
                self.directory,
                tag_authority=self.tag_authority,
                tag=self.tagger or tags,
                index_file=file_postings,
                workers=self.workers,
                parallel_min_bytes=self.parallel_min_bytes,
                limits=self.limits,
            )
            self._restore_snapshot(data.get(TAXONOMY_FILE))
            if not self._restored and self.tagger is None:
                tags.make()  # before parsers fork, which would each make their own
        files = self._archive.read(list(data.values()))
        if self._restored is not None:
            self._save_snapshot(data.get(TAXONOMY_FILE))
        today = self.today() if self.today else None
        last = self._built
        unchanged = last is not None and last.sources.files.version == files.version
        if last is not None and unchanged and same_day_for(last, today):
            if last.sources.files.modified != files.modified:  # a touched file: its time
                archive = replace(last.catalog.archive, modified=files.modified)
                last = replace(last, sources=replace(last.sources, files=files),
                               catalog=replace(last.catalog, archive=archive))  # fmt: skip
                self._built = last
            return last.catalog
        overrides, problems = self._current_overrides(data.get(OVERRIDES_FILE))
        sources = Sources(files, taxonomy, overrides, problems, today)
        try:
            if last is None:
                raise BuildAfresh
            built = update(last, sources)
            self.updates += 1
        except BuildAfresh:
            built = build(sources)
            self.builds += 1
        self._built = built
        return built.catalog

    def _restore_snapshot(self, taxonomy: DataFile | None) -> None:
        """On the first load: start from the snapshot (a custom tagger makes none)."""
        if self.snapshot is None or self.tagger is not None or self._archive is None:
            return
        key = self._snapshot_key(taxonomy)
        self._restored = snapshots.restore(self._archive, self.snapshot, key)

    def _save_snapshot(self, taxonomy: DataFile | None) -> None:
        """After the first load: write the snapshot again if anything was parsed."""
        restored, self._restored = self._restored, None
        if self.snapshot is None or self._archive is None:
            return
        snapshots.remember(self._archive, self.snapshot, self._snapshot_key(taxonomy),
                           unless_same_as=restored,
                           background=self.snapshot_in_background)  # fmt: skip

    def _snapshot_key(self, taxonomy: DataFile | None) -> str:
        return snapshots.snapshot_key(
            tag_authority=f"{self.tag_authority}\0{self.limits!r}",
            taxonomy=None if taxonomy is None else taxonomy.data,
        )

    def _current_taxonomy(self, data_file: DataFile | None) -> Taxonomy:
        """The taxonomy of ``taxonomy.toml`` (parsed again only when its bytes changed),
        else the packaged one. A new taxonomy means classifying every entry again."""
        data = None if data_file is None else data_file.data
        text = None if data_file is None else data_file.text
        if data_file is not None and text is None:
            raise DataFileError(f"{TAXONOMY_FILE}: {data_file.problem}")
        if self._taxonomy is None or self._taxonomy[0] != data:
            taxonomy = Taxonomy.packaged() if text is None else Taxonomy.parse(text, TAXONOMY_FILE)
            self._taxonomy = (data, taxonomy)
            self._archive = None
            self._built = None
        return self._taxonomy[1]

    def _current_overrides(
        self, data_file: DataFile | None
    ) -> tuple[Overrides, tuple[Diagnostic, ...]]:
        """The overrides of ``overrides.toml`` and its problems; none if it is absent."""
        data = None if data_file is None else data_file.data
        if self._overrides is None or self._overrides[0] != data:
            text = None if data_file is None else data_file.text
            if data_file is None:
                overrides, problems = Overrides(OVERRIDES_FILE), []
            elif text is None:
                overrides = Overrides(OVERRIDES_FILE)
                problems = [error(OVERRIDES_FILE, 1, f"cannot read overrides: {data_file.problem}")]
            else:
                overrides, problems = parse_overrides(text, OVERRIDES_FILE)
            self._overrides = (data, overrides, tuple(problems))
        return self._overrides[1], self._overrides[2]


class _ClassifierTags:
    """``Classifier(taxonomy).tags``, the classifier made on first use: making it takes
    0.3 s, and a restart from the snapshot may have nothing to tag (issue 19)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._taxonomy = taxonomy
        self._tags: Tagger | None = None

    def make(self) -> Tagger:
        if self._tags is None:
            self._tags = Classifier(taxonomy=self._taxonomy).tags
        return self._tags

    def __call__(
        self, title: str, summary: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (self._tags or self.make())(title, summary)


def load_catalog(directory: Path, *, tag_authority: str = DEFAULT_TAG_AUTHORITY) -> Catalog:
    """Load and index ``directory`` once."""
    return CatalogLoader(directory, tag_authority=tag_authority).load()
