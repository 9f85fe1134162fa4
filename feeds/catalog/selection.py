"""Selections: what one feed is about (everything, a country, a topic or a region).

Slugs from URLs are looked up here, never joined into paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.catalog.indexes import Keys
from feeds.catalog.model import Catalog
from feeds.classify.countries import Country, all_countries, country_by_code, country_by_slug
from feeds.classify.regions import all_regions, region_by_slug
from feeds.errors import UnknownSelectionError

KINDS = ("country", "topic", "region")


@dataclass(frozen=True, slots=True)
class Selection:
    #: ``"all"``, ``"country"``, ``"topic"`` or ``"region"``.
    kind: str
    #: URL slug (``"mexico"``); empty for ``all``.
    slug: str
    #: What the catalog is indexed by: ISO code, topic slug or region slug.
    key: str
    #: Human name: ``"Mexico"``, ``"Labour migration"``, ``"All news"``.
    name: str
    description: str = ""

    @property
    def path(self) -> str:
        """``"all"`` or ``"country/mexico"``: the part of every URL that names the selection."""
        return "all" if self.kind == "all" else f"{self.kind}/{self.slug}"


ALL = Selection("all", "", "", "All news", "Every press release in the archive.")


class RedirectToCanonical(Exception):  # a signal, not an error: no Error suffix
    """The slug names a selection under another spelling (``mx`` for ``mexico``)."""

    def __init__(self, selection: Selection) -> None:
        super().__init__(selection.path)
        self.selection = selection


def resolve(catalog: Catalog, kind: str, slug: str) -> Selection:
    """The selection ``kind/slug`` names; raises UnknownSelectionError saying what exists."""
    if kind == "country":
        return _country(slug)
    if kind == "topic":
        try:
            topic = catalog.taxonomy.by_slug(slug)
        except UnknownSelectionError:
            known = ", ".join(t.slug for t in catalog.taxonomy.topics)
            raise UnknownSelectionError(f"unknown topic '{slug}'; topics are: {known}") from None
        return Selection("topic", topic.slug, topic.slug, topic.name, topic.description)
    if kind == "region":
        try:
            region = region_by_slug(slug)
        except UnknownSelectionError:
            known = ", ".join(r.slug for r in all_regions())
            raise UnknownSelectionError(f"unknown region '{slug}'; regions are: {known}") from None
        return Selection(
            "region", region.slug, region.slug, region.name, f"Press releases about {region.name}."
        )
    raise UnknownSelectionError(f"unknown kind of feed '{kind}'; kinds are: {', '.join(KINDS)}")


def _country(slug: str) -> Selection:
    try:
        country = country_by_slug(slug)
    except UnknownSelectionError:
        country = _country_by_code_or_explain(slug)
        raise RedirectToCanonical(_country_selection(country)) from None
    return _country_selection(country)


def _country_by_code_or_explain(slug: str) -> Country:
    if len(slug) == 2 and slug.isalpha():
        try:
            return country_by_code(slug)
        except UnknownSelectionError:
            pass
    examples = ", ".join(c.slug for c in all_countries()[:3])
    raise UnknownSelectionError(
        f"unknown country '{slug}'; countries are named by their English name in lower case "
        f"with hyphens ({examples}, …, mexico, costa-rica) or their ISO 3166-1 alpha-2 code "
        "(mx); /feeds.opml lists every feed that has entries"
    )


def _country_selection(country: Country) -> Selection:
    return Selection(
        "country", country.slug, country.code, country.name, f"Press releases about {country.name}."
    )


def selection_keys(catalog: Catalog, selection: Selection) -> Keys:
    """Every entry of ``selection``, newest first, as sort keys (:meth:`Catalog.entry_at`)."""
    if selection.kind == "all":
        return catalog.keys
    index = {
        "country": catalog.country_index,
        "topic": catalog.topic_index,
        "region": catalog.region_index,
    }[selection.kind]
    return index.get(selection.key, ())
