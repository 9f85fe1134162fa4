"""Selections: what one feed is about (everything, a country, a topic or a region).

Slugs from URLs are looked up here, never joined into paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from feeds.catalog.indexes import Keys
from feeds.catalog.model import Catalog
from feeds.classify.countries import Country, all_countries, country_named
from feeds.classify.regions import all_regions, region_by_slug
from feeds.errors import UnknownSelectionError
from feeds.prose import about

KINDS = ("country", "topic", "region")
#: The kinds as a Flask route converter: ``/<{ROUTE_KINDS}:kind>/<slug>``.
ROUTE_KINDS = f"any({', '.join(KINDS)})"
#: A selection's path as partners and editors write it, a regular expression: ``all`` or
#: ``kind/slug`` (``country/mexico``, ``country/MX``); the widget's ``feed=`` and the
#: digests' feeds are written so.
SELECTION_PATH = rf"all|(?:{'|'.join(KINDS)})/[A-Za-z0-9-]+"


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

    def feed_title(self, site_title: str) -> str:
        """The title of this selection's feeds (and digests): ``Newsroom — Mexico``."""
        return f"{site_title} — {self.name}"


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
        return Selection("region", region.slug, region.slug, region.name, about(region.name))
    raise UnknownSelectionError(f"unknown kind of feed '{kind}'; kinds are: {', '.join(KINDS)}")


def _country(slug: str) -> Selection:
    try:
        country = country_named(slug)
    except UnknownSelectionError:
        examples = ", ".join(c.slug for c in all_countries()[:3])
        raise UnknownSelectionError(
            f"unknown country '{slug}'; countries are named by their English name in lower "
            f"case with hyphens ({examples}, …, mexico, costa-rica) or their ISO 3166-1 "
            "alpha-2 code (mx); /feeds.opml lists every feed that has entries"
        ) from None
    if country.slug != slug:  # named by its code
        raise RedirectToCanonical(_country_selection(country))
    return _country_selection(country)


def _country_selection(country: Country) -> Selection:
    return Selection("country", country.slug, country.code, country.name, about(country.name))


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


def every_selection(
    catalog: Catalog, countries: Iterable[Country] | None = None
) -> Iterator[Selection]:
    """Every feed the service publishes: ``all``, each country (every ISO 3166-1 country
    unless ``countries`` are given), each topic of the taxonomy, each region."""
    yield ALL
    for country in all_countries() if countries is None else countries:
        yield _country_selection(country)
    for topic in catalog.taxonomy.topics:
        yield resolve(catalog, "topic", topic.slug)
    for region in all_regions():
        yield resolve(catalog, "region", region.slug)
