"""The W3C Feed Validation Service's own code, for the tests: ``../shared/tools/w3c_feed.py``.

The checkout's sibling ``shared/`` holds it, unmodified (in CI too, beside the fresh
clone). Tests that need it skip with :data:`MISSING` as the reason when it is absent.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

TOOLS = Path(__file__).resolve().parent.parent.parent / "shared" / "tools"


def _load() -> tuple[ModuleType | None, str | None]:
    if not (TOOLS / "w3c_feed.py").is_file():
        return None, f"the W3C validator is not at {TOOLS} (the shared/ folder beside the checkout)"
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module("w3c_feed"), None
    except ImportError as error:  # html5lib, from the test extras
        return None, f"the W3C validator cannot be imported: {error}"


_W3C, MISSING = _load()
needs_w3c = pytest.mark.skipif(_W3C is None, reason=MISSING or "")

#: The validator's warnings that a plain-text title holding the text of an HTML end tag
#: ("</b>") gets in Atom and in RSS. That text is the title (issue 15): it is sent as
#: text, and these two are the one exception to "no warnings".
TAG_IN_TITLE = frozenset({"ContainsUndeclaredHTML", "ContainsHTML"})
_END_TAG = re.compile(r"</(\w+)>")


def problems(document: bytes, url: str) -> list[str]:
    """The validator's errors and warnings on ``document`` served at ``url``, as it prints
    them, less :data:`TAG_IN_TITLE` when a title of the document does hold an HTML end tag."""
    assert _W3C is not None, MISSING
    found = _W3C.validate(document, url)
    if any(p.kind in TAG_IN_TITLE for p in found) and _titles_hold_tags(document):
        found = [p for p in found if not (p.kind in TAG_IN_TITLE and "title" in p.message)]
    return [f"{p.level}: {p.kind}: {p.message}" for p in found]


def _titles_hold_tags(document: bytes) -> bool:
    from feedvalidator.validators import HTMLValidator  # beside w3c_feed, once it is loaded

    known = {tag.lower() for tag in HTMLValidator.htmltags}
    root = etree.fromstring(document)
    titles = (element.text or "" for element in root.iter() if _local(element.tag) == "title")
    return any(name.lower() in known for text in titles for name in _END_TAG.findall(text))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
