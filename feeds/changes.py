"""Which feeds a reload changed: what WebSub announces to the hub (issue 5).

A feed changed when its list of entries did: one added, removed or reordered, or one whose
title, summary, date or tags were edited. Only the unfiltered feed of each selection is
compared; filtered and paged variants are not announced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping

from feeds.catalog import Catalog
from feeds.countries import country_by_code
from feeds.entry import Entry
from feeds.regions import all_regions
from feeds.selection import ALL, Selection, resolve, selection_keys

Fingerprints = Mapping[int, bytes]  # by sort key


def changed_selection_paths(old: Catalog, new: Catalog) -> list[str]:
    """Paths (``all``, ``country/mexico``…) of the selections whose entries differ.

    Countries of either catalog count (one whose last entry went away now has an empty
    feed); topics are the new taxonomy's. All first, then countries, topics, regions.
    """
    if old.version == new.version:
        return []
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
    yield ALL
    codes = set(old.country_index) | set(new.country_index)
    countries = sorted(country_by_code(code).slug for code in codes)
    for slug in countries:
        yield resolve(new, "country", slug)
    # A topic dropped from the new taxonomy has no feed left to announce.
    for topic in new.taxonomy.topics:
        yield resolve(new, "topic", topic.slug)
    for region in all_regions():
        yield resolve(new, "region", region.slug)


def _selection_prints(
    catalog: Catalog, selection: Selection, prints: Fingerprints
) -> tuple[bytes, ...]:
    return tuple(prints[key] for key in selection_keys(catalog, selection))
