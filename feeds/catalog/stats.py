"""Counts for the home page: how much news each selection has, month by month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from feeds.catalog.indexes import Keys
from feeds.catalog.model import Catalog
from feeds.catalog.ordering import date_of


@dataclass(frozen=True, slots=True)
class MonthlyCounts:
    #: ``(year, month)`` of each bar, oldest first.
    months: tuple[tuple[int, int], ...]
    counts: tuple[int, ...]

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


def recent_months(catalog: Catalog, count: int = 12) -> tuple[tuple[int, int], ...]:
    """The ``count`` months up to the newest entry's month, oldest first."""
    if not catalog.entries:
        return ()
    newest = catalog.entries[0].date
    index = newest.year * 12 + newest.month - 1
    return tuple(divmod(i, 12) for i in range(index - count + 1, index + 1))


def monthly_counts(
    catalog: Catalog, keys: Keys, months: Sequence[tuple[int, int]]
) -> MonthlyCounts:
    """Entries of ``keys`` per month in ``months`` (``divmod`` pairs: month is 0-11)."""
    slots = {month: i for i, month in enumerate(months)}
    counts = [0] * len(months)
    for key in keys:
        date = date_of(key)
        slot = slots.get((date.year, date.month - 1))
        if slot is not None:
            counts[slot] += 1
    return MonthlyCounts(tuple((y, m + 1) for y, m in months), tuple(counts))
