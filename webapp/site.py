"""Everything a request needs from the app, behind one object: ``site()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dateutil import tz
from flask import current_app, g, request

from feeds.catalog import Catalog
from feeds.documents.feed import SiteInfo
from feeds.urls import SiteUrls
from webapp.caching import AnswerCache, Memo
from webapp.store import CatalogStore

#: Distinct (kind, slug) and query strings remembered per archive version.
MEMO_ENTRIES = 4096


@dataclass
class Site:
    store: CatalogStore
    info: SiteInfo
    cache: AnswerCache
    #: Selections and parsed parameters by (archive version, URL part): pure lookups.
    memo: Memo
    base_url: str  # configured public base URL, or "" to take it from each request
    page_size: int
    max_page_size: int
    max_age: int


def make_site(settings: dict[str, Any], store: CatalogStore) -> Site:
    hub = settings["FEEDS_WEBSUB_HUB"]
    info = SiteInfo(
        title=settings["FEEDS_SITE_TITLE"],
        author_name=settings["FEEDS_SITE_TITLE"],
        language=settings["FEEDS_LANGUAGE"],
        timezone=_timezone(settings["FEEDS_TIMEZONE"]),
        tag_authority=settings["FEEDS_TAG_AUTHORITY"],
        hubs=(hub,) if hub else (),
        generator_version=_package_version(),
    )
    return Site(
        store=store,
        info=info,
        cache=AnswerCache(settings["FEEDS_RESPONSE_CACHE_BYTES"]),
        memo=Memo(MEMO_ENTRIES),
        base_url=settings["FEEDS_BASE_URL"],
        page_size=settings["FEEDS_PAGE_SIZE"],
        max_page_size=settings["FEEDS_MAX_PAGE_SIZE"],
        max_age=settings["FEEDS_CACHE_MAX_AGE"],
    )


def _package_version() -> str | None:
    try:
        return version("feeds")
    except PackageNotFoundError:
        return None


def site() -> Site:
    site: Site = current_app.extensions["feeds"]
    return site


def catalog() -> Catalog:
    """The catalog for this request: read once, so one request never mixes two versions."""
    found: Catalog | None = g.get("catalog")  # one lookup through the proxy, not three
    if found is None:
        found = g.catalog = site().store.current()
    return found


def urls() -> SiteUrls:
    """Absolute URLs for this request: the configured base URL, else the request's own
    (after ProxyFix has applied the trusted ``X-Forwarded-*`` headers)."""
    base = site().base_url or (request.host_url.rstrip("/") + request.script_root)
    return SiteUrls(base)


def _timezone(name: str) -> dt.tzinfo:
    """The zone ``name`` (load_settings has checked that it is one)."""
    zone = tz.gettz(name)
    if zone is None:
        raise ValueError(f"not a time zone: {name!r}")
    return zone
