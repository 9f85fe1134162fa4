"""``/search``: matches with the words marked, facets, the active filters and the feed of
the search (issue 17). The query language is :mod:`feeds.catalog.search_query`'s."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup, escape

from feeds.catalog import Catalog
from feeds.catalog.search import matching_words
from feeds.catalog.search_query import word_stems
from feeds.catalog.selection import ALL
from feeds.classify.countries import country_by_code
from feeds.documents.feed import SORTS
from feeds.text import lower_tokens
from webapp import wording
from webapp.documents import params_or_abort, serve
from webapp.pages import HTML_CONTENT_TYPE, page_context, subscribe_panel
from webapp.site import catalog, site, urls

bp = Blueprint("search", __name__)

#: Facets count this many hits at most (newest or most relevant first), so that a word
#: found 100,000 times costs what one found 2,000 times does; the page says so.
FACET_HITS = 2000
FACET_VALUES = 12
_WORD = re.compile(r"\w+")

Params = Sequence[tuple[str, str]]


@bp.get("/search")
def search() -> Response:
    site_urls = urls()
    current = catalog()
    params = params_or_abort(current)
    filters = params.filters
    unsorted = tuple(f for f in filters if f[0] != "sort")

    def url(chosen: Params) -> str:
        return site_urls.search(chosen)

    def page_url(number: int) -> str:
        return url(params.link_params(number, site().page_size))

    def build() -> tuple[bytes, str]:
        words = params.query.words
        found: Sequence[int] = ()
        if filters:
            found = current.select(current.keys, params.query)
            if params.relevance:
                found = current.search_index.by_relevance(found, words)
        pages = max(1, -(-len(found) // params.limit))
        if params.page > pages:
            abort(400, description=f"page must be from 1 to {pages} for this search")
        start = (params.page - 1) * params.limit
        html = render_template(
            "search.html",
            entries=current.entries_at(found[start : start + params.limit]),
            total=len(found),
            page=params.page,
            pages=pages,
            page_url=page_url,
            searched=bool(filters),
            search_text=" ".join(words),
            sort=SORTS[params.relevance],
            sort_urls={
                s: url((*unsorted, ("sort", s)) if s != SORTS[0] else unsorted) for s in SORTS
            },
            facets=facets(current, found[:FACET_HITS], filters, url),
            facet_hits=min(len(found), FACET_HITS),
            filters=wording.active_filters(current, filters, url),
            clear_all=url(()),
            mark=highlighter(words),
            selection=ALL,
            feed_params=filters,
            subscribe=subscribe_panel(site_urls, ALL, params),
            **page_context(site_urls, current),
        )
        return html.encode(), HTML_CONTENT_TYPE

    return serve(page_url(params.page), build)


def facets(
    current: Catalog, keys: Sequence[int], filters: Params, url: Callable[[Params], str]
) -> list[tuple[str, list[tuple[str, int, str]]]]:
    """Facet name → (value, hits, URL of the search narrowed to it), most hits first."""
    entries = current.entries_at(keys)
    countries = Counter(code for entry in entries for code in entry.countries)
    topics = Counter(slug for entry in entries for slug in entry.topics)
    years = Counter(entry.date.year for entry in entries)

    def narrowed(name: str, value: str) -> str:
        return url([*(f for f in filters if f[0] not in (name, "page")), (name, value)])

    return [
        (
            "Country",
            [
                (country_by_code(code).name, n, narrowed("country", country_by_code(code).slug))
                for code, n in countries.most_common(FACET_VALUES)
            ],
        ),
        (
            "Topic",
            [
                (current.taxonomy.name_of(slug), n, narrowed("topic", slug))
                for slug, n in topics.most_common(FACET_VALUES)
            ],
        ),
        (
            "Year",
            [
                (str(year), n, narrowed("since", f"{year}-01-01"))
                for year, n in sorted(years.items(), reverse=True)
            ],
        ),
    ]


def highlighter(words: Sequence[str]) -> Callable[[str], Markup]:
    """``text`` → HTML with the words the query matched in ``<mark>``. Every piece of the
    text is escaped before it is joined with the marks, so no archive markup survives."""
    stems = matching_words(words)

    def matches(word: str) -> bool:
        return any(stem in stems for folded in lower_tokens(word) for stem in word_stems(folded))

    def mark(text: str) -> Markup:
        pieces: list[Markup] = []
        last = 0
        if stems:
            for found in _WORD.finditer(text):
                if matches(found.group()):
                    pieces.append(escape(text[last : found.start()]))
                    pieces.append(Markup("<mark>%s</mark>") % found.group())
                    last = found.end()
        pieces.append(escape(text[last:]))
        return Markup("").join(pieces)

    return mark
