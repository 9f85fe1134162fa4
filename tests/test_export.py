"""``feeds build``: the static export is byte for byte what the server answers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from feeds.cli import main
from webapp.export import HEADERS_FILE, MANIFEST, ExportError, export_site, file_for

BASE = "https://news.example.org/press"
REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export of the real archive for the tests that only read it."""
    root = tmp_path_factory.mktemp("export")
    archive = Path(shutil.copytree(REAL_ARCHIVE, root / "archive"))
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("FEEDS_")]:
            patch.delenv(name)
        return export_site(root / "site", BASE, archive).directory


def written_files(root: Path) -> set[str]:
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return found - {MANIFEST, HEADERS_FILE}


def url_path(relative: str) -> str:
    return "/" + relative.removesuffix("index.html").rstrip("/")


def test_every_file_is_what_the_server_answers(exported: Path, make_app) -> None:
    client = make_app(BASE_URL=BASE).test_client()
    types = json.loads((exported / MANIFEST).read_text())

    assert set(types) == written_files(exported)
    for relative, content_type in types.items():
        with client.get(url_path(relative)) as response:
            assert response.status_code == 200, relative
            assert (exported / relative).read_bytes() == response.get_data(), relative
            assert content_type == response.headers["Content-Type"], relative


@pytest.mark.parametrize(
    "relative",
    [
        "index.html",
        "feeds.opml",
        "feeds/all.atom",
        "feeds/all.rss",
        "feeds/all.json",
        "feeds/country/mexico.atom",
        "country/mexico/index.html",
        "feeds/topic/labour-migration.json",
        "topic/labour-migration/index.html",
        "feeds/region/central-america.rss",
        "entries/2021-03-06-iom-trained-mexicali-municipal-police-to-better-protect-migrant-children/index.html",
        "static/style.css",
        "embed/headlines.js",
        # Countries without entries too: the server answers their (empty) feeds.
        "feeds/country/antarctica.atom",
        "country/antarctica/index.html",
    ],
)
def test_paths_mirror_the_urls(exported: Path, relative: str) -> None:
    assert (exported / relative).is_file()


def test_feeds_link_to_the_base_url(exported: Path) -> None:
    atom = (exported / "feeds/country/mexico.atom").read_text()
    assert f'href="{BASE}/feeds/country/mexico.atom"' in atom
    assert "localhost" not in atom


def test_headers_file_gives_types_and_cors(exported: Path) -> None:
    blocks = (exported / HEADERS_FILE).read_text().split("\n/")
    feed = next(b for b in blocks if b.startswith("feeds/all.atom\n"))
    assert "  Content-Type: application/atom+xml; charset=utf-8" in feed
    assert "  Access-Control-Allow-Origin: *" in feed
    page = next(b for b in blocks if b.startswith("country/mexico\n"))
    assert "  Content-Type: text/html; charset=utf-8" in page


def test_an_earlier_export_is_replaced(make_app, archive_dir: Path, tmp_path: Path) -> None:
    make_app()
    site = export_site(tmp_path / "site", BASE, archive_dir).directory
    stale = site / "feeds" / "country" / "gone.atom"
    stale.write_text("left over")

    export_site(site, BASE, archive_dir)

    assert not stale.exists()
    assert (site / "feeds/all.atom").is_file()


def test_a_folder_that_is_no_export_is_left_alone(make_app, archive_dir, tmp_path) -> None:
    make_app()
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")

    with pytest.raises(ExportError, match="not an earlier export"):
        export_site(precious, BASE, archive_dir)

    assert (precious / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "served-archive"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "index.html"),
        ("", "index.html"),
        ("/feeds.opml", "feeds.opml"),
        ("/feeds/country/costa-rica.json", "feeds/country/costa-rica.json"),
        ("/region/caribbean", "region/caribbean/index.html"),
        ("/entries/2021-03-06-a--0990f386", "entries/2021-03-06-a--0990f386/index.html"),
    ],
)
def test_file_for(path: str, expected: str) -> None:
    assert file_for(path) == expected


def test_the_command(make_app, archive_dir: Path, tmp_path: Path, capsys) -> None:
    make_app()
    out = tmp_path / "public"

    status = main(["build", str(out), "--base-url", BASE, "--archive", str(archive_dir)])

    assert status == 0
    assert f"in {out}" in capsys.readouterr().out
    assert (out / "feeds/all.atom").read_bytes().startswith(b"<?xml")


def test_the_command_refuses_a_bad_base_url(make_app, archive_dir, tmp_path, capsys) -> None:
    make_app()

    status = main(["build", str(tmp_path / "out"), "--base-url", "news.example.org",
                   "--archive", str(archive_dir)])  # fmt: skip

    assert status == 2
    assert "FEEDS_BASE_URL must be an absolute http(s) URL" in capsys.readouterr().err
