"""The static export has no dead link: every local link of every exported HTML page, and
every fragment it names, resolves to an exported file (issue 17)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html
from test_export import BASE, exported  # noqa: F401  (a fixture: the one export)

from webapp.export import file_for


def local_targets(document) -> list[str]:
    """Every URL the page links to, loads or submits to, as written."""
    found = [target for _element, _attribute, target, _pos in document.iterlinks()]
    return found + document.xpath("//form/@action")


def resolve(root: Path, page: Path, target: str) -> tuple[Path, str] | None:
    """The exported file a link leads to and its fragment; None for other sites."""
    if target.startswith("#"):
        return page, target[1:]
    if target.startswith("/"):  # path-absolute: this very host
        target = BASE.removesuffix(urlsplit(BASE).path) + target
    if not target.startswith(BASE + "/"):
        assert urlsplit(target).scheme == "https", target  # the web readers only
        return None
    parts = urlsplit(target)
    # A static host ignores the query string: the file of the path answers.
    path = unquote(parts.path).removeprefix(urlsplit(BASE).path)
    return root / file_for(path), parts.fragment


def test_every_local_link_of_every_page_resolves(exported: Path) -> None:  # noqa: F811
    pages = sorted(exported.rglob("*.html"))
    assert len(pages) > 50
    ids: dict[Path, set[str]] = {}
    dead = []
    for page in pages:
        document = lxml_html.document_fromstring(page.read_bytes())
        for target in local_targets(document):
            found = resolve(exported, page, target)
            if found is None:
                continue
            file, fragment = found
            if not file.is_file():
                dead.append((page.relative_to(exported).as_posix(), target))
                continue
            if fragment and file.suffix == ".html":
                if file not in ids:
                    ids[file] = set(lxml_html.document_fromstring(file.read_bytes()).xpath("//@id"))
                if fragment not in ids[file] and not fragment.startswith("feed="):
                    dead.append((page.relative_to(exported).as_posix(), target))
    assert dead == []


@pytest.mark.parametrize(
    "relative",
    ["news/index.html", "search/index.html", "syndicate/index.html", "sitemap.xml",
     "robots.txt", "favicon.ico"],
)  # fmt: skip
def test_the_pages_every_page_links_to_are_exported(
    exported: Path,  # noqa: F811
    relative: str,
) -> None:
    assert (exported / relative).is_file()
