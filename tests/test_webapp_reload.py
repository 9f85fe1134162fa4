"""The archive changes while the service runs: reloads, swaps, broken files, never a 500."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

NEW_ENTRY = (
    "1 May, 2021\n\nIOM opens a new office in Tegucigalpa, Honduras\n\nNews from Honduras.\n"
)
#: Pages and feeds a reader could ask for at any moment.
URLS = [
    "/",
    "/feeds/all.atom",
    "/feeds/all.rss?limit=5",
    "/feeds/country/honduras.json",
    "/feeds/topic/labour-migration.atom",
    "/feeds.opml",
    "/country/honduras",
    "/healthz",
]


def store_of(app):
    return app.extensions["feeds"].store


def titles(client, url="/feeds/all.json?limit=100"):
    response = client.get(url)
    assert response.status_code == 200
    return [item["title"] for item in response.get_json(force=True)["items"]]


def assert_no_server_errors(client):
    for url in URLS:
        assert client.get(url).status_code == 200, url


def test_a_new_file_shows_up_after_a_reload(client, app, archive_dir):
    before = titles(client)
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")
    assert titles(client) == before  # nothing changes until the reload
    assert store_of(app).reload() is True
    assert titles(client) == ["IOM opens a new office in Tegucigalpa, Honduras", *before]
    assert client.get("/healthz").get_json()["entries"] == 21
    assert "Tegucigalpa" in titles(client, "/feeds/country/honduras.json")[0]
    assert_no_server_errors(client)


def test_a_reload_without_changes_changes_nothing(client, app):
    etag = client.get("/feeds/all.atom").headers["ETag"]
    assert store_of(app).reload() is False
    assert client.get("/feeds/all.atom").headers["ETag"] == etag


def test_an_edited_file_shows_its_edit(client, app, archive_dir):
    path = archive_dir / "2021-02-to-03-press-releases.txt"
    old = "IOM trained Mexicali municipal police to better protect migrant children"
    new = "IOM trained Mexicali municipal police to protect migrant children better"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert store_of(app).reload()
    assert new in titles(client) and old not in titles(client)
    entry_id = "2021-03-06-iom-trained-mexicali-municipal-police-to-protect-migrant-children-better"
    assert client.get(f"/entries/{entry_id}").status_code == 200
    old_id = "2021-03-06-iom-trained-mexicali-municipal-police-to-better-protect-migrant-children"
    assert client.get(f"/entries/{old_id}").status_code == 404


def test_a_deleted_file_takes_its_entries_with_it(client, app, archive_dir):
    (archive_dir / "2021-02-to-03-press-releases.txt").unlink()
    assert store_of(app).reload()
    dates = [
        item["date_published"][:7] for item in client.get("/feeds/all.json").get_json()["items"]
    ]
    assert dates and set(dates) <= {"2021-03", "2021-04"}
    assert client.get("/healthz").get_json()["entries"] == 10
    assert_no_server_errors(client)


def test_a_file_that_breaks_loses_only_its_bad_entries(client, app, archive_dir):
    path = archive_dir / "2021-03-to-04-press-releases.txt"
    text = path.read_text(encoding="utf-8")
    # Two entries' date lines become nonsense: those two are skipped, the file's others stay.
    broken = text.replace("27 April, 2021", "31 Aprail, 2021").replace(
        "26 April, 2021", "2021-02-30"
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    assert store_of(app).reload()
    health = client.get("/healthz").get_json()
    assert health["entries"] == 18
    assert health["errors"] >= 2
    assert_no_server_errors(client)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfe\x00\xd8garbage", id="bad-utf16"),
        pytest.param(b"\x81\x8d\x8f\x90\x9d 3 May 2021\n\nCP1252 \x93quoted\x94\n", id="cp1252"),
        pytest.param(b"\x00" * 1000, id="nul-bytes"),
        pytest.param(b"no date line at all\n" * 50, id="no-dates"),
        pytest.param(b"3 May, 2021\n\n" + b"A" * 100_000 + b"\n", id="huge-title"),
        pytest.param(b"3 May, 2021\n\n<script>alert(1)</script>\n", id="script"),
    ],
)
def test_any_file_content_never_gives_a_server_error(client, app, archive_dir, content):
    (archive_dir / "odd.txt").write_bytes(content)
    store_of(app).reload()
    assert client.get("/healthz").get_json()["entries"] >= 20
    assert_no_server_errors(client)
    for entry in store_of(app).catalog.entries[:3]:
        assert client.get(f"/entries/{entry.id}").status_code == 200


def test_a_deleted_archive_directory_keeps_the_last_catalog(client, app, archive_dir):
    before = titles(client)
    version = store_of(app).catalog.version
    shutil.rmtree(archive_dir)
    assert store_of(app).reload() is False
    assert store_of(app).catalog.version == version
    assert titles(client) == before
    assert_no_server_errors(client)


def test_an_archive_emptied_of_files_keeps_the_last_catalog(client, app, archive_dir):
    for path in archive_dir.glob("*.txt"):
        path.unlink()
    assert store_of(app).reload() is False
    assert client.get("/healthz").get_json()["entries"] == 20
    assert_no_server_errors(client)


def test_a_reload_swaps_the_catalog_whole(client, app, archive_dir):
    """Readers see the old or the new catalog, never a mix: every /healthz answer is one
    of the two versions with its own entry count, while reloads flip between them."""
    store = store_of(app)
    old = (store.catalog.version, 20)
    extra = archive_dir / "2021-05.txt"
    extra.write_text(NEW_ENTRY, encoding="utf-8")
    store.reload()
    new = (store.catalog.version, 21)
    seen, problems, reading, stop = set(), [], threading.Event(), threading.Event()

    def read():
        reader = app.test_client()
        while not stop.is_set():
            health = reader.get("/healthz").get_json()
            seen.add((health["version"], health["entries"]))
            feed = reader.get("/feeds/all.json?limit=100")
            if feed.status_code != 200:
                problems.append(feed.status_code)
            reading.set()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        assert reading.wait(timeout=10)
        for _ in range(10):
            extra.unlink()
            store.reload()
            extra.write_text(NEW_ENTRY, encoding="utf-8")
            store.reload()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert problems == []
    assert seen and seen <= {old, new}


def test_reload_listeners_hear_old_and_new(app, archive_dir):
    heard = []
    store = store_of(app)
    store.listeners.append(lambda old, new: heard.append((old.version, new.version)))
    store.listeners.insert(0, lambda old, new: 1 / 0)  # a failing listener harms no one
    before = store.catalog.version
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")
    assert store.reload()
    assert heard == [(before, store.catalog.version)]


def test_changes_show_up_within_the_reload_interval(make_app, archive_dir):
    """A real interval: requests start a background reload once it is due."""
    client = make_app(RELOAD_SECONDS=1).test_client()
    assert client.get("/healthz").get_json()["entries"] == 20
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")
    deadline = time.monotonic() + 10
    entries = 20
    while entries == 20 and time.monotonic() < deadline:
        time.sleep(0.1)
        response = client.get("/healthz")
        assert response.status_code == 200
        entries = response.get_json()["entries"]
    assert entries == 21
    assert titles(client)[0] == "IOM opens a new office in Tegucigalpa, Honduras"


def test_no_reload_when_the_interval_is_zero(client, archive_dir):
    (archive_dir / "2021-05.txt").write_text(NEW_ENTRY, encoding="utf-8")
    for _ in range(5):
        time.sleep(0.1)
        assert client.get("/healthz").get_json()["entries"] == 20
