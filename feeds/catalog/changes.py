"""Which feeds a reload changed: what WebSub announces to the hub (issue 5).

A feed changed when its list of entries did: one added, removed or reordered, or one whose
title, summary, date or tags were edited. Only the unfiltered feed of each selection is
compared; filtered and paged variants are not announced.

When the new catalog was updated from the old one (:class:`~feeds.catalog.build.CatalogChanges`),
only the entries of the changed files are compared, so the cost follows the change and not
the archive; otherwise every entry of both catalogs is.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence

from feeds.archive.entry import Entry
from feeds.catalog.indexes import Keys
from feeds.catalog.model import Catalog, CatalogChanges, indexed_under
from feeds.catalog.selection import ALL, Selection, every_selection, selection_keys
from feeds.classify.countries import country_by_code

Fingerprints = Mapping[int, bytes]  # by sort key


def changed_selection_paths(old: Catalog, new: Catalog) -> list[str]:
    """Paths (``all``, ``country/mexico``…) of the selections whose entries differ.

    Countries of either catalog count (one whose last entry went away now has an empty
    feed); topics are the new taxonomy's. All first, then countries, topics, regions.
    """
    if old.version == new.version:
        return []
    changes = new.changes
    if changes is not None and changes.since == old.version:
        return _changed_by(changes, old, new)
    old_prints = dict(zip(old.keys, map(entry_fingerprint, old.entries), strict=True))
    new_prints = dict(zip(new.keys, map(entry_fingerprint, new.entries), strict=True))
    return [
        selection.path
        for selection in _selections(old, new)
        if _selection_prints(old, selection, old_prints)
        != _selection_prints(new, selection, new_prints)
    ]


def entry_fingerprint(entry: Entry) -> bytes:
    """A digest of everything a feed shows of ``entry``."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        entry.id,
        entry.date.isoformat(),
        entry.title,
        *entry.summary,
        "\0",
        *entry.countries,
        "\0",
        *entry.topics,
    ):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")  # a separator no part contains, so parts cannot run together
    return digest.digest()


def _selections(old: Catalog, new: Catalog) -> Iterator[Selection]:
    """Every feed either catalog publishes; a topic dropped from the new taxonomy has no
    feed left to announce, and only countries with entries in either can change."""
    codes = set(old.country_index) | set(new.country_index)
    countries = sorted((country_by_code(code) for code in codes), key=lambda c: c.slug)
    return every_selection(new, countries)


def _changed_by(changes: CatalogChanges, old: Catalog, new: Catalog) -> list[str]:
    """The selections whose lists differ, from the changed entries alone.

    Every other entry is in both lists, under the same key. Each changed entry falls in a
    *slot*: after how many of those shared entries it comes. The two lists are the same
    exactly when, slot by slot, the removed entries and the added ones have the same
    fingerprints in the same order.
    """
    removed, added = _by_selection(changes.removed), _by_selection(changes.added)
    found = []
    for selection in _selections(old, new):
        which = (selection.kind, selection.key)
        if (which in removed or which in added) and _slotted(
            selection_keys(old, selection), removed.get(which, ())
        ) != _slotted(selection_keys(new, selection), added.get(which, ())):
            found.append(selection.path)
    return found


#: A selection as (kind, key): ``("all", "")``, ``("country", "MX")``, ``("topic", "health")``.
_Which = tuple[str, str]


def _by_selection(changed: Iterable[tuple[int, Entry]]) -> dict[_Which, list[tuple[int, Entry]]]:
    """Each unfiltered selection → its changed (key, entry) pairs, in key order."""
    found: defaultdict[_Which, list[tuple[int, Entry]]] = defaultdict(list)
    for key, entry in changed:
        found[(ALL.kind, ALL.key)].append((key, entry))
        for kind, names in indexed_under(entry).items():
            for name in names:
                found[(kind, name)].append((key, entry))
    return found


def _slotted(keys: Keys, changed: Sequence[tuple[int, Entry]]) -> list[tuple[int, bytes]]:
    """(slot, fingerprint) of each changed entry of a list with these ``keys``."""
    return [
        (bisect.bisect_left(keys, key) - number, entry_fingerprint(entry))
        for number, (key, entry) in enumerate(changed)
    ]


def _selection_prints(
    catalog: Catalog, selection: Selection, prints: Fingerprints
) -> tuple[bytes, ...]:
    return tuple(prints[key] for key in selection_keys(catalog, selection))
