"""The web service: feeds, pages and embeds over the library in ``feeds/``."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from dateutil import tz
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from feeds.archive.files import ArchiveLimits
from feeds.catalog import CatalogLoader, snapshot
from webapp import metrics
from webapp.browser_feeds import FeedsForBrowsers
from webapp.caching import return_evicted_bodies
from webapp.fastpath import FastPath
from webapp.hosts import PrivateUnlessConfigured, host_is_configured
from webapp.settings import load_settings
from webapp.site import make_site
from webapp.store import CatalogStore
from webapp.websub import WebSubPublisher

#: Paths whose answers partner browsers may read from any origin.
CORS_PREFIXES = ("/feeds/", "/feeds.opml", "/healthz", "/embed/")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then ``FEEDS_*`` environment variables, then ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(load_settings(overrides=config))
    store = CatalogStore(_catalog_loader(app.config), app.config["FEEDS_RELOAD_SECONDS"])
    app.extensions["feeds"] = make_site(app.config, store)
    _wrap(app)
    _register_views(app)
    if app.config["FEEDS_WEBSUB_HUB"]:
        publisher = WebSubPublisher(
            app.config["FEEDS_WEBSUB_HUB"],
            app.config["FEEDS_BASE_URL"],
            settle=app.config["FEEDS_RELOAD_SECONDS"] + app.config["FEEDS_CACHE_MAX_AGE"],
        )
        store.listeners.append(publisher.catalog_changed)
        app.extensions["feeds_websub"] = publisher
    app.register_error_handler(HTTPException, _plain_error)
    app.after_request(_common_headers)
    logging.getLogger("feeds").setLevel(logging.INFO)
    return app


def _catalog_loader(settings: dict[str, Any]) -> CatalogLoader:
    """The loader of the archive the settings name, with their limits and snapshot."""
    zone = tz.gettz(settings["FEEDS_TIMEZONE"])
    return CatalogLoader(
        Path(settings["FEEDS_ARCHIVE"]),
        tag_authority=settings["FEEDS_TAG_AUTHORITY"],
        today=lambda: dt.datetime.now(zone).date(),
        limits=ArchiveLimits(
            max_file_bytes=settings["FEEDS_MAX_FILE_BYTES"],
            settle_seconds=settings["FEEDS_SETTLE_SECONDS"],
        ),
        snapshot=snapshot_file(settings),
        snapshot_in_background=True,  # start-up does not wait for the write
    )


def _wrap(app: Flask) -> None:
    """The WSGI middleware around Flask, innermost first."""
    config, wrapped = app.config, app.wsgi_app
    # A document answered before is answered again below Flask's dispatch (issue 19),
    # after ProxyFix has applied the trusted X-Forwarded-* headers that its links follow.
    wrapped = FastPath(wrapped, app.extensions["feeds"])
    return_evicted_bodies()  # so that the cache's bound in bytes bounds the worker too
    trusted = config["FEEDS_TRUSTED_PROXIES"]
    if trusted:
        wrapped = ProxyFix(
            wrapped, x_for=trusted, x_proto=trusted, x_host=trusted, x_prefix=trusted
        )
    if not host_is_configured(config):  # links follow any Host: no shared cache (issue 14)
        wrapped = PrivateUnlessConfigured(wrapped)
    # A browser that opens an Atom or RSS feed gets it as application/xml (issue 17).
    app.wsgi_app = FeedsForBrowsers(wrapped)  # type: ignore[method-assign]
    metrics.init_app(app)  # outermost: every request counted, replayed ones too (issue 14)


def _register_views(app: Flask) -> None:
    """Every blueprint. Imported here: the views import the app's own modules."""
    from webapp import (
        digest_views,
        embed,
        feed_views,
        pages,
        search_views,
        site_pages,
        subscriptions,
    )
    from webapp.documents import answer_again

    app.before_request(answer_again)  # a repeated request skips its view (issue 7)
    for blueprint in (feed_views.bp, pages.bp, search_views.bp, site_pages.bp,
                      digest_views.bp, embed.bp):  # fmt: skip
        app.register_blueprint(blueprint)
    subscriptions.init_app(app)  # e-mail sign-up, manage, unsubscribe (issue 16)


def snapshot_file(settings: dict[str, Any]) -> Path | None:
    """The archive's snapshot (``FEEDS_SNAPSHOT_DIR``), or ``None`` when it is ``off``."""
    directory = settings["FEEDS_SNAPSHOT_DIR"]
    if directory == "off":
        return None
    base = Path(directory) if directory else snapshot.default_directory()
    return snapshot.snapshot_path(base, Path(settings["FEEDS_ARCHIVE"]))


def _plain_error(error: HTTPException) -> BaseResponse:
    """Errors are one line of plain text: easy to read in a browser, a log or curl."""
    response = error.get_response()
    if error.code is not None and 300 <= error.code < 400:
        return response
    from webapp.site_pages import error_page, wants_page

    if wants_page(request):  # a browser on a page URL: a page with the site's header
        return error_page(error)
    response.set_data(f"{error.code} {error.name}: {error.description}\n")
    response.content_type = "text/plain; charset=utf-8"
    return response


def _common_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
        )
    if request.path.startswith(CORS_PREFIXES):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "If-None-Match, If-Modified-Since, Cache-Control"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
