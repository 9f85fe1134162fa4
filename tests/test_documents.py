"""Answering again: a URL answered before is answered from the cache without its view."""

from __future__ import annotations

import pytest


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


def test_if_match_beside_a_matching_if_none_match_is_werkzeugs_call(client) -> None:
    etag = client.get("/feeds/all.atom").headers["ETag"]

    both = client.get("/feeds/all.atom", headers={"If-None-Match": etag, "If-Match": etag})

    assert both.status_code == 200  # werkzeug: a matching If-Match makes it "modified"
