"""The peers of issue 19, each serving the same entries at the same URL, ``/feeds/all.atom``.

* ``ours``: the service itself (``webapp.create_app``).
* ``bare``: a bare WSGI app answering our document's bytes (and a 304 for its ETag): what
  gunicorn itself can serve, the yardstick of target 3. ``bare-headers``: the same with
  every header our answer has (gunicorn's cost per header, apart from the app's).
* ``flask-feedgen``: what a newsroom would write first, a Flask view that builds the
  feed with feedgen on every request.
* ``django`` and ``django-cache``: Django's syndication framework, plain and behind
  ``cache_page`` (local-memory cache), with the middleware of a new Django project that
  need no database.

Every peer takes the 20 newest entries of the same archive, parsed by ``feeds`` once at
start-up and kept in memory: the kindest set-up for them (a real Django site would query
a database). Run one under gunicorn with the options of ``feeds serve``:

    .venv/bin/python bench/peer_apps.py PEER --port 8100 --archive DIR --base-url URL
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

PEERS = ("ours", "bare", "bare-headers", "flask-feedgen", "django", "django-cache")
PATH = "/feeds/all.atom"
ATOM = "application/atom+xml; charset=utf-8"
TITLE = "Newsroom — All news"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def ours(base_url: str) -> WSGIApp:
    from webapp import create_app

    return create_app({"FEEDS_BASE_URL": base_url})


def our_document(base_url: str) -> tuple[bytes, str, list[tuple[str, str]]]:
    """Our ``/feeds/all.atom``: its bytes, its ETag and every header."""
    app = create_app_without_reloads(base_url)
    answer = app.test_client().get(PATH)
    if answer.status_code != 200:
        raise RuntimeError(f"{PATH} answered {answer.status_code}")
    return answer.get_data(), answer.headers["ETag"], list(answer.headers.items())


def create_app_without_reloads(base_url: str) -> Any:
    from webapp import create_app

    return create_app({"FEEDS_BASE_URL": base_url, "FEEDS_RELOAD_SECONDS": 0})


def bare(base_url: str, all_headers: bool = False) -> WSGIApp:
    body, etag, headers = our_document(base_url)
    sent = [("Content-Type", ATOM), ("Content-Length", str(len(body))), ("ETag", etag)]
    not_modified = [("ETag", etag)]
    if all_headers:
        sent = headers
        not_modified = [(n, v) for n, v in headers if n not in ("Content-Type", "Content-Length")]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", list(not_modified))
            return []
        start_response("200 OK", list(sent))
        return [body]

    return app


def newest_entries(count: int = 20) -> Sequence[Any]:
    from feeds.catalog import load_catalog
    from webapp.settings import load_settings

    return load_catalog(Path(load_settings()["FEEDS_ARCHIVE"])).entries[:count]


def published(entry: Any) -> dt.datetime:
    return dt.datetime.combine(entry.date, dt.time(0), tzinfo=dt.UTC)


def flask_feedgen(base_url: str) -> WSGIApp:
    from feedgen.feed import FeedGenerator
    from flask import Flask, Response

    entries = newest_entries()
    app = Flask("peer")

    @app.get(PATH)
    def feed() -> Response:
        generator = FeedGenerator()
        generator.id(base_url + PATH)
        generator.title(TITLE)
        generator.author(name="Newsroom")
        generator.link(href=base_url + PATH, rel="self")
        generator.link(href=base_url + "/", rel="alternate")
        generator.updated(published(entries[0]))
        for entry in entries:
            item = generator.add_entry(order="append")
            item.id(entry.guid)
            item.title(entry.title)
            item.link(href=f"{base_url}/entries/{entry.id}")
            item.summary(entry.summary_text)
            item.published(published(entry))
            item.updated(published(entry))
            for code in entry.countries:
                item.category(term=code)
        return Response(generator.atom_str(), content_type=ATOM)

    return app


def django(base_url: str, cached: bool = False) -> WSGIApp:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=["*"],
        USE_TZ=True,
        ROOT_URLCONF=_urlconf(),
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )
    import django as django_package

    django_package.setup()
    from django.contrib.syndication.views import Feed
    from django.core.wsgi import get_wsgi_application
    from django.urls import path
    from django.utils.feedgenerator import Atom1Feed
    from django.views.decorators.cache import cache_page

    entries = newest_entries()

    class AllNews(Feed):  # type: ignore[type-arg]
        feed_type = Atom1Feed
        title = TITLE
        link = "/"
        subtitle = "Press releases: All news."

        def items(self) -> Sequence[Any]:
            return entries

        def item_title(self, entry: Any) -> str:
            return str(entry.title)

        def item_description(self, entry: Any) -> str:
            return str(entry.summary_text)

        def item_link(self, entry: Any) -> str:
            return f"/entries/{entry.id}"

        def item_guid(self, entry: Any) -> str:
            return str(entry.guid)

        item_guid_is_permalink = False

        def item_pubdate(self, entry: Any) -> dt.datetime:
            return published(entry)

        def item_categories(self, entry: Any) -> tuple[str, ...]:
            return tuple(entry.countries) + tuple(entry.topics)

    view = cache_page(300)(AllNews()) if cached else AllNews()
    settings.ROOT_URLCONF.urlpatterns.append(path(PATH[1:], view))
    return get_wsgi_application()  # type: ignore[no-any-return]


def _urlconf() -> types.ModuleType:
    """A URL configuration module made here (Django caches resolvers by it: hashable)."""
    module = types.ModuleType("peer_urls")
    module.urlpatterns = []  # type: ignore[attr-defined]
    return module


def make(peer: str, base_url: str) -> WSGIApp:
    makers: dict[str, Callable[[str], WSGIApp]] = {
        "ours": ours,
        "bare": bare,
        "bare-headers": lambda url: bare(url, all_headers=True),
        "flask-feedgen": flask_feedgen,
        "django": django,
        "django-cache": lambda url: django(url, cached=True),
    }
    return makers[peer](base_url)


def main(argv: list[str] | None = None) -> int:
    import os

    from webapp.server import FeedsServer, gunicorn_settings, prepare_master

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=PEERS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args(argv)
    os.environ["FEEDS_ARCHIVE"] = str(args.archive)
    prepare_master()  # as `feeds serve` does, before anything loads
    app = make(args.peer, args.base_url)
    # The same gunicorn, workers and options as `feeds serve` (webapp.server.run).
    FeedsServer(app, gunicorn_settings(f"{args.host}:{args.port}", args.workers)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
