"""What a sign-up asks for, checked against the catalog: one rule for the web forms and
for ``feeds subscribers import``."""

from __future__ import annotations

from collections.abc import Iterable

from feeds.catalog import Catalog
from feeds.digest.model import PERIODS
from feeds.errors import InvalidSignUpError
from feeds.subscriptions.addresses import normalise
from feeds.subscriptions.compose import selection_for
from feeds.subscriptions.model import SignUp

#: Selections one subscription may hold (there are about 300 in all).
MAX_SELECTIONS = 100


def sign_up_request(catalog: Catalog, address: str, period: str, paths: Iterable[str]) -> SignUp:
    """A valid :class:`SignUp`, or InvalidSignUpError saying what to fix."""
    if period not in PERIODS:
        raise InvalidSignUpError(f"choose {' or '.join(PERIODS)}")
    return SignUp(normalise(address), period, checked_paths(catalog, paths))


def checked_paths(catalog: Catalog, paths: Iterable[str]) -> tuple[str, ...]:
    """Selection paths as stored (``all``, ``country/mexico``), sorted, each once."""
    chosen = set()
    for path in paths:
        path = path.strip().strip("/")
        if not path:
            continue
        selection = selection_for(catalog, path[:120])
        if selection is None:
            raise InvalidSignUpError(f"there is no feed '{path[:80]}' to subscribe to")
        chosen.add(selection.path)
        if len(chosen) > MAX_SELECTIONS:
            raise InvalidSignUpError(f"choose at most {MAX_SELECTIONS} feeds")
    if not chosen:
        raise InvalidSignUpError("choose at least one feed: a country, a topic, a region or all")
    return tuple(sorted(chosen))


def describe(catalog: Catalog, paths: Iterable[str]) -> str:
    """``Mexico, Health and All news``: what a confirmation message names."""
    names = [s.name for s in map(lambda p: selection_for(catalog, p), paths) if s is not None]
    if len(names) <= 1:
        return "".join(names) or "nothing"
    return ", ".join(names[:-1]) + " and " + names[-1]
