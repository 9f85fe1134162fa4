"""Atom and RSS that a browser shows instead of offering them as text (issue 17).

Chromium shows ``application/atom+xml`` and ``application/rss+xml`` as plain text, so
the feeds' ``<?xml-stylesheet?>`` (``static/feed.css``) would never apply. A browser that
opens a feed as a page says so (``Sec-Fetch-Dest: document``,
https://www.w3.org/TR/fetch-metadata/); it gets the very same bytes as
``application/xml``, which every browser renders with the stylesheet. Feed readers send
no ``Sec-Fetch-Dest`` and see no change. Answers carry ``Vary: Sec-Fetch-Dest`` so that
a shared cache keeps the two apart.

WSGI middleware outside everything else, so that answers replayed below Flask
(:mod:`webapp.fastpath`) are treated the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: ``application/xml`` is what browsers render as a styled document.
BROWSER_CONTENT_TYPE = "application/xml; charset=utf-8"
FEED_SUFFIXES = (".atom", ".rss")
VARY = "Sec-Fetch-Dest"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FeedsForBrowsers:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not (path.startswith("/feeds/") and path.endswith(FEED_SUFFIXES)):
            return self.app(environ, start_response)
        navigation = environ.get("HTTP_SEC_FETCH_DEST") == "document"

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            if navigation and status.startswith("200"):
                headers = [(n, v) for n, v in headers if not _is_feed_type(n, v)]
                headers.append(("Content-Type", BROWSER_CONTENT_TYPE))
            return start_response(status, _with_vary(headers), *exc_info)

        return self.app(environ, start)


def _is_feed_type(name: str, value: str) -> bool:
    return name.lower() == "content-type" and value.startswith(
        ("application/atom+xml", "application/rss+xml")
    )


def _with_vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if VARY.lower() not in value.lower():
                headers[index] = (name, f"{value}, {VARY}")
            return headers
    return [*headers, ("Vary", VARY)]
