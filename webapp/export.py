"""``feeds build OUTDIR --base-url URL``: the whole site as files, for object storage or a CDN.

Every document is fetched from the app itself (Flask's test client, with the same base
URL), so each file is byte for byte what the server answers at that URL. Paths mirror
the URLs: ``/feeds/country/mexico.atom`` → ``feeds/country/mexico.atom``, a page
``/country/mexico`` → ``country/mexico/index.html``, ``/`` → ``index.html``.

What a static host cannot answer stays with the server: other pages of a feed
(``?page=2``), filters (``?q=``, ``?since=``…), the widget's iframe page, digest
previews and ``/healthz``.

Beside the documents, ``content-types.json`` maps each path to its ``Content-Type``
(for upload tools: object stores guess types from extensions, and ``.atom``, ``.opml``
and extension-less pages need saying), and ``_headers`` gives the same plus the
caching, CORS and security headers in the format Netlify and Cloudflare Pages read.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from feeds.catalog.selection import ALL, every_selection
from feeds.errors import FeedsError
from feeds.urls import FEED_EXTENSIONS, SiteUrls
from webapp import create_app
from webapp.site import site

MANIFEST = "content-types.json"
HEADERS_FILE = "_headers"
#: Response headers worth repeating in ``_headers`` (the others are per response).
KEPT_HEADERS = (
    "Content-Type", "Cache-Control", "X-Content-Type-Options", "Content-Security-Policy",
    "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
)  # fmt: skip


class ExportError(FeedsError, ValueError):
    """The site cannot be written where asked, or a page did not answer 200."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    files: int
    bytes: int
    directory: Path


def export_site(outdir: Path, base_url: str, archive: Path | None = None) -> ExportSummary:
    """Write every document under ``outdir``, replacing an earlier export there."""
    _check_target(outdir)
    config: dict[str, Any] = {"FEEDS_BASE_URL": base_url, "FEEDS_RELOAD_SECONDS": 0}
    if archive is not None:
        config["FEEDS_ARCHIVE"] = str(archive)
    app = create_app(config)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    try:
        written = _write_all(app, staging)
        if outdir.exists():
            shutil.rmtree(outdir)
        staging.rename(outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportSummary(len(written), sum(size for _url, size, _h in written.values()), outdir)


def _check_target(outdir: Path) -> None:
    """Never delete a folder this command did not write."""
    if outdir.exists() and (not outdir.is_dir() or (
        any(outdir.iterdir()) and not (outdir / MANIFEST).is_file()
    )):  # fmt: skip
        raise ExportError(f"'{outdir}' exists and is not an earlier export (no {MANIFEST}); "
                          "give an empty or new folder")  # fmt: skip


#: file path → (URL path, size, headers to repeat), for the manifests.
Written = dict[str, tuple[str, int, dict[str, str]]]


def _write_all(app: Flask, root: Path) -> Written:
    """Fetch and write every URL."""
    client = app.test_client()
    written: Written = {}
    with app.app_context():
        urls = SiteUrls(site().base_url)
        every_url = list(site_urls(app, urls))
    prefix = urlsplit(urls.base).path
    for url in every_url:
        path = urlsplit(url).path.removeprefix(prefix)
        body, headers = _fetch(client, path)
        relative = file_for(path)
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        written[relative] = (path or "/", len(body), headers)
    _write_manifests(root, written)
    return written


def _fetch(client: FlaskClient, path: str) -> tuple[bytes, dict[str, str]]:
    with client.get(path or "/") as response:  # static files answer with an open file
        if response.status_code != 200:
            raise ExportError(f"{path} answered {response.status}, not 200")
        headers = {name: value for name in KEPT_HEADERS if (value := response.headers.get(name))}
        return response.get_data(), headers


def site_urls(app: Flask, urls: SiteUrls) -> Iterator[str]:
    """Every URL the export writes: home, OPML, feeds and pages, entries, static files.

    Every country of ISO 3166-1 is there, those without entries too: the server answers
    their (empty) feeds, and a reader subscribed to one must not meet a 404 on the CDN.
    """
    from feeds.catalog import Catalog

    catalog: Catalog = site().store.current()
    yield urls.home()
    yield urls.opml()
    # What every page links to (issue 17): all news (its first page), the search form
    # (searching itself needs the server), the widget builder, and what crawlers ask for.
    yield from (urls.news(), urls.search(), urls.syndicate())
    yield from map(urls.site_file, ("sitemap.xml", "robots.txt", "favicon.ico"))
    for selection in every_selection(catalog):
        for extension in FEED_EXTENSIONS:
            yield urls.feed(selection.path, extension)
        if selection is not ALL:
            yield urls.page(selection.path)
    for entry in catalog.entries:
        yield urls.entry(entry.id)
    static = Path(app.static_folder or "")
    for asset in sorted(p for p in static.rglob("*") if p.is_file()):
        yield urls.static(asset.relative_to(static).as_posix())
    if "embed.widget_script" in app.view_functions:
        yield urls.embed("headlines.js")


def file_for(path: str) -> str:
    """The file that answers ``path``: itself if it names a file, else its ``index.html``."""
    path = path.strip("/")
    last = path.rsplit("/", 1)[-1]
    if not path or "." not in last:
        return f"{path}/index.html".lstrip("/")
    return path


def _write_manifests(root: Path, written: Written) -> None:
    types = {path: headers["Content-Type"] for path, (_url, _size, headers) in written.items()}
    (root / MANIFEST).write_text(json.dumps(types, indent=1, sort_keys=True) + "\n")
    blocks = [
        "\n".join([url, *(f"  {name}: {value}" for name, value in headers.items())])
        for url, _size, headers in sorted(written.values())
    ]
    (root / HEADERS_FILE).write_text("\n".join(blocks) + "\n")
