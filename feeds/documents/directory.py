"""Which feeds exist and how many entries each has: for the home page, OPML and export."""

from __future__ import annotations

from dataclasses import dataclass

from feeds.catalog.model import Catalog
from feeds.catalog.selection import Selection, every_selection, selection_keys
from feeds.classify.countries import country_by_code
from feeds.documents.feed import SiteInfo, newest_date, published_at
from feeds.render import OutlineFeed, render_opml
from feeds.urls import SiteUrls


@dataclass(frozen=True, slots=True)
class Listing:
    selection: Selection
    count: int


def listings(catalog: Catalog) -> dict[str, list[Listing]]:
    """Every non-empty feed by group ("all", "country", "topic", "region")."""
    countries = [country_by_code(code) for code in catalog.country_index]
    groups: dict[str, list[Listing]] = {"all": [], "country": [], "topic": [], "region": []}
    for selection in every_selection(catalog, countries):
        count = len(selection_keys(catalog, selection))
        if count or selection.kind == "all":
            groups[selection.kind].append(Listing(selection, count))
    groups["country"].sort(key=lambda item: (-item.count, item.selection.name))
    return groups


GROUP_NAMES = {"all": "All news", "country": "Countries", "topic": "Topics", "region": "Regions"}


def opml_document(catalog: Catalog, site: SiteInfo, urls: SiteUrls) -> bytes:
    """OPML 2.0 subscription list of every non-empty feed (Atom)."""
    groups = [
        (
            GROUP_NAMES[group],
            [
                OutlineFeed(
                    title=item.selection.feed_title(site.title),
                    xml_url=urls.feed(item.selection.path, "atom"),
                    html_url=urls.page(item.selection.path),
                    feed_type="atom",
                    description=item.selection.description,
                )
                for item in items
            ],
        )
        for group, items in listings(catalog).items()
        if items
    ]
    modified = published_at(newest_date(catalog), site.timezone)
    return render_opml(f"{site.title}: feeds", site.author_name, modified, groups)
