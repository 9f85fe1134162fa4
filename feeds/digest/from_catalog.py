"""A digest of one of our selections straight from the catalog, for the web preview.

The items carry what our feeds carry (guid, title, permalink, date at midnight in the
site's zone, summary), so the preview shows what ``feeds digest`` would send for the
same feed, without the app fetching its own feeds over HTTP.
"""

from __future__ import annotations

from feeds.catalog.model import Catalog
from feeds.catalog.selection import Selection, selection_keys
from feeds.digest.compose import default_subject, select_new
from feeds.digest.model import Digest, DigestItem, FeedSection, Window
from feeds.documents.feed import SiteInfo, published_at
from feeds.urls import SiteUrls

#: A preview lists at most this many items; a digest of years would not be read anyway.
MAX_PREVIEW_ITEMS = 200


def catalog_digest(
    catalog: Catalog, selection: Selection, window: Window, site: SiteInfo, urls: SiteUrls
) -> Digest:
    """The digest a first run for ``selection``'s feed would send in ``window``
    (see :func:`feeds.digest.compose.window_for`)."""
    title = selection.feed_title(site.title)
    items: list[DigestItem] = []
    for key in selection_keys(catalog, selection):
        entry = catalog.entry_at(key)
        if entry.date < window.start or len(items) == MAX_PREVIEW_ITEMS:
            break  # newest first: the rest are older still
        items.append(
            DigestItem(
                guid=entry.guid,
                title=entry.title,
                url=urls.entry(entry.id),
                date=published_at(entry.date, site.timezone),
                summary_text=entry.summary_text,
                feed_title=title,
            )
        )
    section = FeedSection(title, urls.page(selection.path), tuple(items))
    sections = select_new([section], (), window)
    return Digest(selection.path, default_subject([title], window), window, sections)
