import datetime as dt

import pytest
from feedlint import HOST, ZONE, lint_opml
from lxml import etree

from feeds.render import OPML_CONTENT_TYPE, OutlineFeed, render_opml

MEXICO = OutlineFeed(
    title="Newsroom — Mexico",
    xml_url=f"{HOST}/country/mx/feed.atom",
    html_url=f"{HOST}/country/mx",
    feed_type="atom",
    description="Press releases about Mexico",
)
MIGRATION = OutlineFeed(
    title="Newsroom — Labour migration & <more>",
    xml_url=f"{HOST}/topic/labour-migration/feed.rss?a=1&b=2",
    html_url=f"{HOST}/topic/labour-migration",
    feed_type="rss",
    description='Quotes " and\nnew lines',
)
GROUPS = [("Countries", [MEXICO]), ("Topics", [MIGRATION])]


def render(groups=GROUPS, **overrides):
    arguments = {
        "title": "Newsroom feeds",
        "owner_name": "Newsroom",
        "date_modified": dt.datetime(2024, 6, 3, 12, tzinfo=ZONE),
        "groups": groups,
    }
    return render_opml(**(arguments | overrides))


def test_content_type():
    assert OPML_CONTENT_TYPE == "text/x-opml; charset=utf-8"


@pytest.mark.parametrize("groups", [GROUPS, [("Empty group", [])]])
def test_output_is_lint_clean(groups):
    xml = render(groups)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert lint_opml(xml) == []


def test_head_has_no_docs():
    """The W3C validator knows only OPML 1.0's head: ``docs`` is an error there (issue 15)."""
    head = etree.fromstring(render()).find("head")
    assert [(child.tag, child.text) for child in head] == [
        ("title", "Newsroom feeds"),
        ("dateModified", "Mon, 03 Jun 2024 12:00:00 -0600"),
        ("ownerName", "Newsroom"),
    ]


def test_one_outline_per_group_with_one_outline_per_feed():
    body = etree.fromstring(render()).find("body")
    assert [(group.get("text"), len(group)) for group in body] == [("Countries", 1), ("Topics", 1)]
    assert dict(body[1][0].attrib) == {
        "type": "rss",
        "text": MIGRATION.title,
        "title": MIGRATION.title,
        "xmlUrl": MIGRATION.xml_url,
        "htmlUrl": MIGRATION.html_url,
        "description": MIGRATION.description,
        "version": "RSS",
    }


@pytest.mark.parametrize(("feed", "version"), [(MEXICO, None), (MIGRATION, "RSS")])
def test_atom_feeds_are_type_rss_too(feed, version):
    outline = etree.fromstring(render([("Group", [feed])])).find("body/outline/outline")
    assert (outline.get("type"), outline.get("version")) == ("rss", version)


def test_forbidden_characters_are_removed():
    xml = render([("Bad\x00", [MEXICO])], title="Feeds\x1b\ufffe")
    opml = etree.fromstring(xml)
    assert (opml.findtext("head/title"), opml.find("body/outline").get("text")) == ("Feeds", "Bad")
