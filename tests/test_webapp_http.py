"""HTTP behaviour of every document: validators, 304, gzip, HEAD, caching headers, CORS."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import time

import pytest
from werkzeug.http import http_date, parse_date

import webapp.feed_views
import webapp.pages

#: One of every kind of document, with its exact Content-Type.
DOCUMENTS = [
    ("/feeds/all.atom", "application/atom+xml; charset=utf-8"),
    ("/feeds/country/mexico.rss?limit=3&q=iom", "application/rss+xml; charset=utf-8"),
    ("/feeds/topic/health.json", "application/feed+json; charset=utf-8"),
    ("/feeds/region/caribbean.atom", "application/atom+xml; charset=utf-8"),
    ("/feeds/country/antarctica.rss", "application/rss+xml; charset=utf-8"),
    ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/country/mexico", "text/html; charset=utf-8"),
    ("/topic/labour-migration?page=2&limit=2", "text/html; charset=utf-8"),
    ("/region/central-america", "text/html; charset=utf-8"),
    (
        "/entries/2021-03-06-iom-trained-mexicali-municipal-police-to-better-protect-migrant-children",
        "text/html; charset=utf-8",
    ),
]
URLS = [url for url, _content_type in DOCUMENTS]
GZIP = {"Accept-Encoding": "gzip, deflate"}


def archive_mtime(archive_dir) -> int:
    """The archive's newest file or directory modification time, in whole seconds."""
    paths = [archive_dir, *archive_dir.glob("*.txt")]
    return max(int(path.stat().st_mtime) for path in paths)


@pytest.mark.parametrize(("url", "content_type"), DOCUMENTS)
def test_documents_have_exact_type_strong_etag_and_last_modified(
    client, archive_dir, url, content_type
):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    etag, weak = response.get_etag()
    assert etag and not weak
    assert response.headers["ETag"] == f'"{etag}"'
    # The newest change among the document's own entries (exactly: see below).
    assert parse_date(response.headers["Last-Modified"]).timestamp() <= archive_mtime(archive_dir)
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Vary"] == expected_vary(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_etags_differ_between_documents(client):
    etags = [client.get(url).headers["ETag"] for url in URLS]
    assert len(set(etags)) == len(URLS)


def test_etag_and_last_modified_follow_the_archive(client, app, archive_dir):
    before = client.get("/feeds/all.atom")
    (archive_dir / "new.txt").write_text("1 May, 2021\n\nA new entry\n\nNews.\n", encoding="utf-8")
    assert app.extensions["feeds"].store.reload()
    after = client.get("/feeds/all.atom")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] == http_date(archive_mtime(archive_dir))
    stale = client.get("/feeds/all.atom", headers={"If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("validator", ["If-None-Match", "If-Modified-Since"])
def test_conditional_requests_answer_304_with_no_body(client, url, validator):
    first = client.get(url)
    header = (
        first.headers["ETag"] if validator == "If-None-Match" else first.headers["Last-Modified"]
    )
    again = client.get(url, headers={validator: header})
    assert again.status_code == 304
    assert again.data == b""
    # RFC 9110 section 15.4.5: what a 200 would send to guide caches (werkzeug leaves out
    # Last-Modified, which RFC 9110 does not need beside an ETag).
    for name in ("ETag", "Cache-Control", "Vary"):
        assert again.headers[name] == first.headers[name]


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": '"not-the-etag"'},
        {"If-None-Match": 'W/"not-the-etag", "nor-this"'},
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"If-Modified-Since": "not a date"},
    ],
)
def test_stale_or_garbled_validators_answer_200(client, headers):
    response = client.get("/feeds/all.atom", headers=headers)
    assert response.status_code == 200
    assert response.data.startswith(b"<?xml")


def test_if_none_match_wins_over_if_modified_since(client):
    first = client.get("/feeds/all.rss")
    response = client.get(
        "/feeds/all.rss",
        headers={"If-None-Match": '"other"', "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert response.status_code == 200  # RFC 9110 section 13.2.2: the ETag is decisive


def test_if_none_match_lists_and_star_match(client):
    etag = client.get("/feeds/all.json").headers["ETag"]
    for header in (f'"x", {etag}', "*", f"W/{etag}"):
        assert client.get("/feeds/all.json", headers={"If-None-Match": header}).status_code == 304


@pytest.fixture
def counted(monkeypatch):
    """How often a feed, the OPML or a page was built: the functions the views call."""
    calls = {"feed": 0, "opml": 0, "page": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        webapp.feed_views, "build_feed", counting("feed", webapp.feed_views.build_feed)
    )
    monkeypatch.setattr(
        webapp.feed_views, "opml_document", counting("opml", webapp.feed_views.opml_document)
    )
    monkeypatch.setattr(
        webapp.pages, "render_template", counting("page", webapp.pages.render_template)
    )
    return calls


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/feeds/all.atom", "feed"),
        ("/feeds/country/mexico.json?limit=2", "feed"),
        ("/feeds.opml", "opml"),
        ("/", "page"),
        ("/topic/health", "page"),
    ],
)
def test_304_is_answered_without_building_anything(client, counted, url, kind):
    etag = client.get(url).headers["ETag"]
    last_modified = client.get(url).headers["Last-Modified"]
    assert counted[kind] == 1
    for headers in (
        {"If-None-Match": etag},
        {"If-Modified-Since": last_modified},
        GZIP | {"If-Modified-Since": last_modified},
    ):
        assert client.get(url, headers=headers).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert counted[kind] == 1


@pytest.mark.parametrize(("url", "kind"), [("/feeds/all.atom", "feed"), ("/", "page")])
def test_without_a_cache_every_answer_builds_and_304s_still_work(make_app, counted, url, kind):
    # The ETag is the hash of the bytes (issue 14), so with no cache even a 304 builds.
    client = make_app(RESPONSE_CACHE_BYTES=0).test_client()
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url).headers["ETag"] == etag
    assert counted[kind] == 3


def test_repeated_requests_are_built_once(client, counted):
    bodies = {client.get("/feeds/all.atom").data for _ in range(3)}
    bodies |= {gzip.decompress(client.get("/feeds/all.atom", headers=GZIP).data)}
    assert len(bodies) == 1
    assert counted["feed"] == 1


def expected_vary(url: str) -> str:
    """Atom and RSS also vary with Sec-Fetch-Dest: a browser opening one gets it as
    application/xml, styled (issue 17, webapp/browser_feeds.py)."""
    xml_feed = url.startswith("/feeds/") and url.split("?")[0].endswith((".atom", ".rss"))
    return "Accept-Encoding, Sec-Fetch-Dest" if xml_feed else "Accept-Encoding"


@pytest.mark.parametrize("url", URLS)
def test_gzip_when_accepted_with_its_own_etag(client, url):
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["Vary"] == plain.headers["Vary"] == expected_vary(url)
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    again = client.get(url, headers=GZIP | {"If-None-Match": packed.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")
    assert again.headers["ETag"] == packed.headers["ETag"]
    crossed = client.get(url, headers={"If-None-Match": packed.headers["ETag"]})
    assert crossed.status_code == 200 and "Content-Encoding" not in crossed.headers


@pytest.mark.parametrize(
    "accept", ["identity", "gzip;q=0", "br", "deflate", "*;q=0", "", "GZIP;q=0.0"]
)
def test_no_gzip_unless_accepted(client, accept):
    response = client.get("/feeds/all.atom", headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<?xml")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("headers", [{}, GZIP])
def test_head_has_the_headers_of_get_and_no_body(client, url, headers):
    got = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    assert head.status_code == 200
    assert head.data == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control"):
        assert head.headers[name] == got.headers[name]
    assert head.headers.get("Content-Encoding") == got.headers.get("Content-Encoding")


def test_head_answers_304_too(client):
    etag = client.get("/country/mexico").headers["ETag"]
    head = client.head("/country/mexico", headers={"If-None-Match": etag})
    assert (head.status_code, head.data) == (304, b"")


@pytest.mark.parametrize("max_age", [0, 60, 86400])
def test_cache_control_max_age_is_configurable(make_app, max_age):
    client = make_app(CACHE_MAX_AGE=max_age).test_client()
    for url in ("/feeds/all.atom", "/feeds.opml", "/"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == f"public, max-age={max_age}"
        etag = response.headers["ETag"]
        not_modified = client.get(url, headers={"If-None-Match": etag})
        assert not_modified.headers["Cache-Control"] == f"public, max-age={max_age}"


def test_last_modified_is_not_in_the_future(client):
    last_modified = parse_date(client.get("/feeds/all.atom").headers["Last-Modified"])
    assert last_modified <= dt.datetime.now(dt.UTC)


# --- Validators follow the document (issue 14) ------------------------------------------

GUYANA = "/feeds/country/guyana.atom"
MEXICO = "/feeds/country/mexico.atom"
DAY = 86400


def write_entry(path, date: str, title: str, mtime: int) -> None:
    path.write_text(f"{date}\n\n{title}\n\nNews from {title.split()[-1]}.\n", encoding="utf-8")
    os.utime(path, (mtime, mtime))


@pytest.fixture
def two_countries(archive_dir):
    """The archive with a Guyana file and a Mexico file of known, distinct times."""
    now = int(time.time())
    for path in archive_dir.glob("*.txt"):  # the real files, which name both countries too
        os.utime(path, (now - 20 * DAY, now - 20 * DAY))
    write_entry(archive_dir / "guyana.txt", "2021-05-03", "Training held in Guyana", now - 9 * DAY)
    write_entry(archive_dir / "mexico.txt", "2021-05-04", "Training held in Mexico", now - 5 * DAY)
    return archive_dir, now


def test_last_modified_is_the_newest_change_among_the_documents_own_entries(
    make_app, two_countries
):
    _archive, now = two_countries
    client = make_app().test_client()
    assert client.get(GUYANA).headers["Last-Modified"] == http_date(now - 9 * DAY)
    assert client.get(MEXICO).headers["Last-Modified"] == http_date(now - 5 * DAY)
    assert client.get("/country/guyana").headers["Last-Modified"] == http_date(now - 9 * DAY)


def test_a_new_mexico_entry_leaves_the_guyana_feed_alone(make_app, two_countries):
    archive, now = two_countries
    app = make_app()
    client = app.test_client()
    guyana, mexico = client.get(GUYANA), client.get(MEXICO)
    write_entry(archive / "mexico-2.txt", "2021-05-06", "Fair held in Mexico", now - DAY)
    assert app.extensions["feeds"].store.reload()

    guyana_after, mexico_after = client.get(GUYANA), client.get(MEXICO)
    assert guyana_after.data == guyana.data
    for name in ("ETag", "Last-Modified"):
        assert guyana_after.headers[name] == guyana.headers[name]
    assert client.get(GUYANA, headers={"If-None-Match": guyana.headers["ETag"]}).status_code == 304
    assert mexico_after.headers["ETag"] != mexico.headers["ETag"]
    assert mexico_after.headers["Last-Modified"] == http_date(now - DAY)


def test_the_etag_changes_exactly_when_the_bytes_do(make_app, two_countries):
    archive, now = two_countries
    app = make_app()
    client = app.test_client()
    before = client.get(MEXICO)
    os.utime(archive / "mexico.txt", (now - 2 * DAY, now - 2 * DAY))  # touched, same bytes
    app.extensions["feeds"].store.reload()
    touched = client.get(MEXICO)
    assert (touched.headers["ETag"], touched.data) == (before.headers["ETag"], before.data)
    assert touched.headers["Last-Modified"] == before.headers["Last-Modified"]
    write_entry(archive / "mexico.txt", "2021-05-04", "Training held again in Mexico", now)
    assert app.extensions["feeds"].store.reload()
    edited = client.get(MEXICO)
    assert edited.data != before.data and edited.headers["ETag"] != before.headers["ETag"]


def test_a_document_that_loses_an_entry_moves_its_last_modified_forward(make_app, two_countries):
    archive, _now = two_countries
    app = make_app()
    client = app.test_client()
    before = client.get(MEXICO)
    (archive / "mexico.txt").unlink()  # the newest Mexico entry goes: older files remain
    assert app.extensions["feeds"].store.reload()
    after = client.get(MEXICO)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parse_date(after.headers["Last-Modified"]) >= parse_date(before.headers["Last-Modified"])
    stale = client.get(MEXICO, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert stale.status_code in (200, 304)  # same second: RFC 9110 allows either


# --- Preconditions (RFC 9110 section 13.2.2) --------------------------------------------


@pytest.mark.parametrize("validator", ["If-Modified-Since", "If-None-Match"])
def test_parameters_are_validated_before_the_conditional_answer(client, validator):
    first = client.get("/feeds/country/mexico.atom")
    value = first.headers["Last-Modified" if validator == "If-Modified-Since" else "ETag"]
    for url in ("/feeds/country/mexico.atom?page=999", "/feeds/country/mexico.atom?limit=0"):
        for headers in (
            {validator: value},
            {validator: "*"} if validator != "If-Modified-Since" else {},
        ):
            response = client.get(url, headers=headers)
            assert response.status_code == 400, (url, headers)
            assert "ETag" not in response.headers


@pytest.mark.parametrize(
    ("header", "value", "status"),
    [
        ("If-Match", '"other"', 412),
        ("If-Match", 'W/"{etag}"', 412),  # If-Match compares strongly
        ("If-Match", '"{etag}"', 200),
        ("If-Match", '"x", "{etag}"', 200),
        ("If-Match", "*", 200),
        ("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT", 412),
        ("If-Unmodified-Since", "{last_modified}", 200),
        ("If-Unmodified-Since", "not a date", 200),
    ],
)
def test_if_match_and_if_unmodified_since(client, header, value, status):
    first = client.get("/feeds/all.atom")
    etag = first.headers["ETag"].strip('"')
    value = value.format(etag=etag, last_modified=first.headers["Last-Modified"])
    for _attempt in range(2):  # through Flask, then from the fast path's record
        response = client.get("/feeds/all.atom", headers={header: value})
        assert response.status_code == status
        assert (response.data == first.data) == (status == 200)


def test_if_match_failing_wins_over_a_matching_if_none_match(client):
    etag = client.get("/feeds/all.json").headers["ETag"]
    response = client.get("/feeds/all.json", headers={"If-Match": '"x"', "If-None-Match": etag})
    assert response.status_code == 412


def test_if_unmodified_since_is_ignored_beside_if_match(client):
    first = client.get("/feeds/all.json")
    headers = {"If-Match": first.headers["ETag"], "If-Unmodified-Since": http_date(0)}
    assert client.get("/feeds/all.json", headers=headers).status_code == 200  # step 1 holds


@pytest.mark.parametrize("days", [1, 3650])
def test_if_modified_since_in_the_future_is_ignored(client, days):
    future = http_date(time.time() + days * DAY)
    for _attempt in range(2):
        response = client.get("/feeds/all.atom", headers={"If-Modified-Since": future})
        assert response.status_code == 200
        assert response.data.startswith(b"<?xml")


@pytest.mark.parametrize("accept", ["GZIP", "Gzip, deflate", "br;q=1.0, GZIP;q=0.5"])
def test_content_codings_are_case_insensitive(client, accept):
    response = client.get("/feeds/all.atom", headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"<?xml")


# --- The response cache is bounded in bytes (issue 14) ----------------------------------


def test_the_response_cache_stays_within_its_bound_in_bytes(make_app):
    bound = 200_000
    app = make_app(RESPONSE_CACHE_BYTES=bound)
    client = app.test_client()
    cache = app.extensions["feeds"].cache
    for day in range(1, 29):
        for encoding in ({}, GZIP):
            url = f"/feeds/all.json?limit=100&since=2021-02-{day:02d}"
            assert client.get(url, headers=encoding).status_code == 200
            assert cache.bytes <= bound
    assert 1 < len(cache) < 28  # some kept, the least recently used evicted
    assert cache.bytes == sum(answer.size for answer in cache._items.values())


def test_a_document_larger_than_the_cache_is_answered_and_not_kept(make_app):
    app = make_app(RESPONSE_CACHE_BYTES=5000)
    client = app.test_client()
    assert client.get("/feeds/all.json?limit=100").status_code == 200
    assert len(app.extensions["feeds"].cache) == 0


# --- CORS -------------------------------------------------------------------------------

CORS_URLS = ["/feeds/all.atom", "/feeds/country/mexico.json", "/feeds.opml", "/healthz"]


@pytest.mark.parametrize("url", CORS_URLS)
def test_feeds_opml_and_health_allow_any_origin(client, url):
    response = client.get(url, headers={"Origin": "https://partner.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified"} <= exposed


@pytest.mark.parametrize(
    "url", ["/feeds/country/mexico.atom", "/feeds.opml", "/healthz", "/embed/anything"]
)
def test_preflight_options_allows_conditional_gets(client, url):
    response = client.options(
        url,
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code in (200, 204, 404)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if response.status_code != 404:
        methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
        assert {"GET", "HEAD"} <= methods
        allowed = response.headers["Access-Control-Allow-Headers"].lower()
        assert "if-none-match" in allowed and "if-modified-since" in allowed
        assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_errors_under_feeds_are_readable_cross_origin(client):
    for url in ("/feeds/country/atlantis.atom", "/feeds/all.atom?limit=0"):
        assert client.get(url).headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/", "/country/mexico", "/static/style.css"])
def test_html_pages_do_not_send_cors_headers(client, url):
    with client.get(url) as response:  # closes the static file
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers


# --- Errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("post", "/feeds/all.atom", 405),
        ("put", "/feeds.opml", 405),
        ("delete", "/country/mexico", 405),
        ("get", "/nowhere", 404),
        ("get", "/entries/no-such-entry", 404),
        ("get", "/country/atlantis", 404),
    ],
)
def test_errors_are_one_line_of_plain_text(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith(f"{status} ") and body.endswith("\n") and body.count("\n") == 1
    assert "ETag" not in response.headers
