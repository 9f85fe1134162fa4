"""``/digest/…``: the HTML part a digest of a feed would have now, for editors to check
before a digest goes out (issue 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, request

from feeds.archive.dates import parse_day
from feeds.catalog.selection import ROUTE_KINDS
from feeds.digest.compose import window_for
from feeds.digest.from_catalog import catalog_digest
from feeds.digest.message import render_html
from feeds.digest.model import PERIODS, Window
from webapp.documents import selection_or_abort, serve
from webapp.site import catalog, site, urls

bp = Blueprint("digest", __name__)

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
#: E-mail HTML styles with ``style=`` attributes, because mail clients drop style sheets;
#: it has no script and loads nothing, so allow inline styles and nothing else.
DIGEST_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)
Clock = Callable[[], dt.datetime]


@bp.get("/digest/all", defaults={"kind": "all", "slug": ""})
@bp.get(f"/digest/<{ROUTE_KINDS}:kind>/<slug>")
def preview(kind: str, slug: str) -> Response:
    """``?period=daily|weekly`` (default weekly) or ``?since=YYYY-MM-DD``, as the command."""
    site_urls = urls()
    selection = selection_or_abort(kind, slug, lambda s: site_urls.digest(s.path))
    window = _window_or_abort()
    current = catalog()
    # The window is in the key: the same URL shows other items tomorrow.
    key = (
        f"{site_urls.digest(selection.path)}"
        f"?{window.period or 'since'}={window.start.isoformat()}..{window.end.isoformat()}"
    )

    def build() -> tuple[bytes, str]:
        digest = catalog_digest(current, selection, window, site().info, site_urls)
        return render_html(digest).encode(), HTML_CONTENT_TYPE

    response = serve(key, build)
    response.headers["Content-Security-Policy"] = DIGEST_CSP
    return response


@bp.get("/digest/", defaults={"anything": ""})
@bp.get("/digest/<path:anything>")
def unknown_digest(anything: str) -> Response:
    abort(
        404,
        description=(
            f"no digest preview at /digest/{anything[:100]}; previews are /digest/all, "
            "/digest/country/<name>, /digest/topic/<slug> and /digest/region/<slug>, "
            "with ?period=daily or weekly, or ?since=YYYY-MM-DD"
        ),
    )


def _window_or_abort() -> Window:
    for name in ("period", "since"):
        if len(request.args.getlist(name)) > 1:
            abort(400, description=f"{name} is given more than once; give it once")
    period, since_text = request.args.get("period"), request.args.get("since")
    if period is not None and since_text is not None:
        abort(400, description="give period or since, not both")
    if period is not None and period not in PERIODS:
        abort(400, description=f"period must be {' or '.join(PERIODS)}, not '{period[:40]}'")
    since = None if since_text is None else parse_day(since_text)
    if since_text is not None and since is None:
        abort(400, description=f"since must be a date as YYYY-MM-DD, not '{since_text[:40]}'")
    return window_for(_clock()(), period or "weekly", since, None)


def _clock() -> Clock:
    """Now in the site's zone; tests set ``DIGEST_CLOCK`` in the app config."""
    configured: Clock | None = current_app.config.get("DIGEST_CLOCK")
    return configured or (lambda: dt.datetime.now(site().info.timezone))
