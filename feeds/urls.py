"""Absolute URLs of everything the service publishes, from one base URL.

The web app's routes (``webapp/``) and these builders describe the same URL contract;
``tests/test_urls.py`` checks every URL built here answers in the app. Keeping the builder
free of Flask lets the static export (``feeds build``) produce byte-identical documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

#: Feed formats by file extension.
FEED_EXTENSIONS = ("atom", "rss", "json")


@dataclass(frozen=True, slots=True)
class SiteUrls:
    #: Scheme, host and path prefix, without a trailing slash: ``https://example.org/news``.
    base: str

    def home(self) -> str:
        return self.base + "/"

    def page(self, selection_path: str, params: Sequence[tuple[str, str]] = ()) -> str:
        """HTML page of a selection: ``all`` → home, ``country/mexico`` → ``/country/mexico``."""
        url = self.home() if selection_path == "all" else f"{self.base}/{selection_path}"
        return _with_query(url, params)

    def feed(
        self, selection_path: str, extension: str, params: Sequence[tuple[str, str]] = ()
    ) -> str:
        return _with_query(f"{self.base}/feeds/{selection_path}.{extension}", params)

    def entry(self, entry_id: str) -> str:
        return f"{self.base}/entries/{quote(entry_id)}"

    def category_scheme(self, kind: str) -> str:
        """``https://host/country/``: scheme + term (an ISO code) redirects to the page."""
        return f"{self.base}/{kind}/"

    def opml(self) -> str:
        return f"{self.base}/feeds.opml"

    def static(self, filename: str) -> str:
        return f"{self.base}/static/{filename}"

    def embed(self, name: str, params: Sequence[tuple[str, str]] = ()) -> str:
        """The headlines widget: ``headlines.js`` (script) or ``headlines`` (iframe page)."""
        return _with_query(f"{self.base}/embed/{name}", params)

    def syndicate(self) -> str:
        return f"{self.base}/syndicate"

    def digest(self, selection_path: str) -> str:
        """The preview of a selection's e-mail digest: ``/digest/country/mexico``."""
        return f"{self.base}/digest/{selection_path}"

    def search(self, params: Sequence[tuple[str, str]] = ()) -> str:
        """The search page: ``/search?q=…`` and the same filters as a feed (issue 17)."""
        return _with_query(f"{self.base}/search", params)

    def news(self, params: Sequence[tuple[str, str]] = ()) -> str:
        """Every entry, paged: the HTML side of ``/feeds/all.atom``."""
        return _with_query(f"{self.base}/news", params)

    def subscription(self, action: str = "", token: str = "") -> str:
        """E-mail subscriptions: ``/subscribe`` (the form), or a signed link
        ``/subscribe/ACTION/TOKEN`` (``confirm``, ``manage``, ``unsubscribe``)."""
        return f"{self.base}/subscribe/{action}/{token}" if action else f"{self.base}/subscribe"

    def site_file(self, name: str) -> str:
        """``sitemap.xml``, ``robots.txt``, ``favicon.ico``: at the root, where crawlers look."""
        return f"{self.base}/{name}"


def _with_query(url: str, params: Sequence[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(params)}" if params else url
