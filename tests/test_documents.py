"""Answering again: a URL answered before is answered from the cache without its view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp.fastpath import FastPath


def refuse(**_kwargs: object) -> None:
    raise AssertionError("the view ran again")


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("/feeds/all.atom", "feeds.feed"),
        ("/feeds/country/mexico.json?limit=2", "feeds.feed"),
        ("/feeds.opml", "feeds.opml"),
        ("/", "pages.home"),
        ("/topic/health", "pages.selection_page"),
    ],
)
def test_a_repeated_request_skips_the_view(app, url: str, endpoint: str) -> None:
    client = app.test_client()
    first = client.get(url)
    app.view_functions[endpoint] = refuse

    again = client.get(url)
    head = client.head(url)
    revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert (again.status_code, again.data) == (200, first.data)
    assert list(again.headers.items()) == list(first.headers.items())
    assert (head.status_code, head.data, head.headers["ETag"]) == (200, b"", first.headers["ETag"])
    assert revalidated.status_code == 304


def test_another_host_or_query_runs_the_view(app) -> None:
    client = app.test_client()
    client.get("/feeds/all.atom")
    calls = []
    view = app.view_functions["feeds.feed"]

    def counting(**kwargs: object) -> object:
        calls.append(kwargs)
        return view(**kwargs)

    app.view_functions["feeds.feed"] = counting
    client.get("/feeds/all.atom", headers={"Host": "mirror.example.org"})
    client.get("/feeds/all.atom?limit=3")
    client.get("/feeds/all.atom")

    assert len(calls) == 2


def test_a_new_archive_version_runs_the_view(app, archive_dir) -> None:
    client = app.test_client()
    before = client.get("/feeds/all.atom")
    (archive_dir / "new.txt").write_text("1 May, 2021\n\nA new entry\n\nNews.\n", encoding="utf-8")
    assert app.extensions["feeds"].store.reload()

    after = client.get("/feeds/all.atom")

    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"A new entry" in after.data


def test_errors_are_never_replayed(app) -> None:
    client = app.test_client()
    assert client.get("/feeds/all.atom?page=999").status_code == 400
    assert client.get("/feeds/all.atom?page=999").status_code == 400
    assert client.get("/feeds/country/mx.atom").status_code == 301


def test_a_matching_if_match_beside_a_matching_if_none_match_is_304(client) -> None:
    etag = client.get("/feeds/all.atom").headers["ETag"]

    both = client.get("/feeds/all.atom", headers={"If-None-Match": etag, "If-Match": etag})

    # RFC 9110 section 13.2.2: If-Match holds, then If-None-Match decides (issue 14; werkzeug
    # answered 200 here).
    assert both.status_code == 304


# --- The fast path below Flask (issue 19, target 3) -------------------------------------

FAST_URLS = [
    "/feeds/all.atom",
    "/feeds/country/mexico.json?limit=2",
    "/feeds.opml",
    "/",
    "/topic/health",
    "/entries/2021-03-06-iom-trained-mexicali-municipal-police-to-better-protect-migrant-children",
]
GZIP = {"Accept-Encoding": "gzip"}


def fast_path_of(app: Flask) -> FastPath:
    """The fast path among the app's WSGI middleware (others wrap it: metrics, ProxyFix)."""
    layer = app.wsgi_app
    while not isinstance(layer, FastPath):
        layer = layer.app  # type: ignore[attr-defined]
    return layer


def refuse_wsgi(_environ: object, _start_response: object) -> object:
    raise AssertionError("Flask was asked")


def answers(client: FlaskClient, url: str, variants: list[tuple[str, dict[str, str]]]) -> list:
    found = []
    for method, headers in variants:
        response = client.open(url, method=method, headers=headers)
        found.append((response.status, list(response.headers.items()), response.data))
    return found


@pytest.mark.parametrize("url", FAST_URLS)
def test_the_fast_path_answers_byte_for_byte_what_flask_answers(
    app: Flask, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    plain, packed = client.get(url), client.get(url, headers=GZIP)
    variants = [
        ("GET", {}),
        ("GET", GZIP),
        ("HEAD", {}),
        ("HEAD", GZIP),
        ("GET", {"If-None-Match": plain.headers["ETag"]}),
        ("GET", GZIP | {"If-None-Match": packed.headers["ETag"]}),
        ("GET", {"If-Modified-Since": plain.headers["Last-Modified"]}),
        ("HEAD", {"If-None-Match": f'"x", {plain.headers["ETag"]}'}),
        ("GET", {"If-None-Match": '"stale"'}),
    ]
    with monkeypatch.context() as patched:  # every answer from Flask, recorded
        patched.setattr(FastPath, "_replay", lambda *_args: None)
        through_flask = answers(client, url, variants)
    fast_path = fast_path_of(app)
    monkeypatch.setattr(fast_path, "app", refuse_wsgi)

    assert answers(client, url, variants) == through_flask
    statuses = [status for status, _headers, _data in through_flask]
    assert statuses == ["200 OK"] * 4 + ["304 NOT MODIFIED"] * 4 + ["200 OK"]


def test_the_fast_path_passes_on_what_it_has_not_seen(app: Flask) -> None:
    client = app.test_client()
    client.get("/feeds/all.atom")
    calls = []
    fast_path = fast_path_of(app)
    flask_app = fast_path.app

    def counting(environ: dict[str, object], start_response: object) -> object:
        calls.append(environ["PATH_INFO"])
        return flask_app(environ, start_response)  # type: ignore[arg-type]

    fast_path.app = counting
    for headers in ({}, {}, {"If-Match": '"x"'}, {"If-Match": '"x"'}):
        client.get("/feeds/all.atom", headers=headers)
    client.get("/feeds/all.atom?page=999")
    client.get("/feeds/all.atom?page=999")
    client.post("/feeds/all.atom")
    client.get("/healthz")

    # The 200 was recorded by the first request; 412s, errors, POST and other routes
    # are never replayed.
    assert len(calls) == 2 + 2 + 1 + 1


def test_forwarded_hosts_are_answered_apart(make_app: Callable[..., Flask]) -> None:
    client = make_app(TRUSTED_PROXIES=1).test_client()
    for _round in range(2):
        for host in ("a.example", "b.example"):
            response = client.get("/feeds/all.atom", headers={"X-Forwarded-Host": host})
            assert f"http://{host}/feeds/all.atom".encode() in response.data
