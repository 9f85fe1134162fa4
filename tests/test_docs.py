"""README.md documents every setting and every URL (datasette's test_docs.py, for us)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.settings import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

#: The URL contract of issue 4: each must appear in the README, with an example.
URL_PATTERNS = [
    "/feeds/all.atom",
    "/feeds/all.rss",
    "/feeds/all.json",
    "/feeds/country/",
    "/feeds/topic/",
    "/feeds/region/",
    "/feeds.opml",
    "/country/",
    "/topic/",
    "/region/",
    "/entries/",
    "/healthz",
]
PARAMETERS = ["limit", "page", "q", "country", "topic", "since"]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_readme_documents_every_setting(name):
    assert f"FEEDS_{name}" in README


@pytest.mark.parametrize("url", URL_PATTERNS)
def test_readme_lists_every_url(url):
    assert f"`{url}" in README or f"{url}`" in README


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_readme_gives_an_example_of_every_query_parameter(parameter):
    assert f"`{parameter}`" in README
    assert f"?{parameter}=" in README or f"&{parameter}=" in README


def test_readme_explains_the_reverse_proxy_set_up():
    for header in ("X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix"):
        assert header in README
    assert "FEEDS_TRUSTED_PROXIES" in README and "FEEDS_BASE_URL" in README


def test_readme_shows_how_to_run_it():
    assert "make run" in README
    assert "feeds serve" in README
    assert "http://127.0.0.1:8000/" in README


# --- The layout table names every module (issue 13) -------------------------------------

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
#: Alembic numbers its own revisions; the table names the folder, not each revision.
UNLISTED = ("feeds/subscriptions/migrations/versions/",)


def layout_rows() -> dict[str, set[str]]:
    """Folder (``feeds/catalog/``) → the modules its row of the layout table names."""
    rows = {}
    for line in LAYOUT.splitlines():
        cells = line.split("|")
        folder = (
            re.fullmatch(r"\s*`((?:feeds|webapp)[\w/]*/)`\s*", cells[1]) if len(cells) > 2 else None
        )
        if folder:
            rows[folder.group(1)] = set(re.findall(r"`(\w+\.py)`", cells[2]))
    return rows


def package_modules() -> dict[str, set[str]]:
    """Folder → its Python modules (``__init__.py`` aside, unless it defines something)."""
    found: dict[str, set[str]] = {}
    for package in ("feeds", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            folder = path.parent.relative_to(ROOT).as_posix() + "/"
            if folder.startswith(UNLISTED):
                continue
            modules = found.setdefault(folder, set())
            if path.name != "__init__.py" or _defines_something(path):
                modules.add(path.name)
    return found


def _defines_something(path: Path) -> bool:
    return bool(re.search(r"^(def|class) ", path.read_text(encoding="utf-8"), re.MULTILINE))


@pytest.mark.parametrize("folder", sorted(package_modules()))
def test_the_layout_table_names_every_module(folder: str) -> None:
    assert layout_rows().get(folder) == package_modules()[folder]


def test_the_layout_table_names_only_modules_that_exist() -> None:
    named = [folder + name for folder, names in layout_rows().items() for name in names]
    assert named and [path for path in named if not (ROOT / path).is_file()] == []
