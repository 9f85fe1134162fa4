"""What pages say about entries and selections: names in prose, tag chips, filter labels.

Pure helpers for the templates (issue 17): "about the United States", chips by name
without the page's own country, and the active filters of a page each with a link that
clears it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from feeds.archive.entry import Entry
from feeds.catalog import Catalog
from feeds.catalog.selection import Selection
from feeds.classify.countries import country_by_code, country_named
from feeds.errors import UnknownSelectionError
from feeds.urls import SiteUrls


def about(selection: Selection) -> str:
    """The page's lead: its selection's description (``feeds.prose`` for places)."""
    return selection.description


@dataclass(frozen=True, slots=True)
class Chip:
    kind: str  # "country" or "topic"
    name: str
    url: str


def entry_chips(
    catalog: Catalog, urls: SiteUrls, entry: Entry, page: Selection | None = None
) -> list[Chip]:
    """The entry's countries then topics, each by name, without the page's own one."""
    countries = [country_by_code(code) for code in entry.countries]
    chips = [
        Chip("country", country.name, urls.page(f"country/{country.slug}"))
        for country in sorted(countries, key=lambda c: c.name)
        if page is None or page.kind != "country" or page.key != country.code
    ]
    topics = sorted((catalog.taxonomy.name_of(slug), slug) for slug in entry.topics)
    chips += [
        Chip("topic", name, urls.page(f"topic/{slug}"))
        for name, slug in topics
        if page is None or page.kind != "topic" or page.key != slug
    ]
    return chips


def filter_label(catalog: Catalog, name: str, value: str) -> str:
    """``("country", "mexico,haiti")`` → ``Country: Haiti or Mexico``."""
    if name == "q":
        return f"Words: {value}"
    if name == "since":
        return f"Since {value}"
    if name == "sort":
        return "Most relevant first"
    names = []
    for slug in value.split(","):
        if name != "country":
            names.append(catalog.taxonomy.name_of(slug))
            continue
        try:
            names.append(country_named(slug).name)
        except UnknownSelectionError:
            names.append(slug)
    return f"{name.capitalize()}: " + " or ".join(sorted(names))


def active_filters(
    catalog: Catalog,
    filters: Sequence[tuple[str, str]],
    url: Callable[[Sequence[tuple[str, str]]], str],
) -> list[tuple[str, str]]:
    """Each filter's label and the URL of the same page without it."""
    return [
        (filter_label(catalog, name, value), url([f for f in filters if f[0] != name]))
        for name, value in filters
    ]


def json_for_script(data: object) -> Markup:
    """JSON that cannot end its ``<script>`` element or open a comment: ``<``, ``>`` and
    ``&`` as ``\\u`` escapes (HTML never decodes inside a script element)."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)
