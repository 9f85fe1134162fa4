"""``/search``: matches with words marked (escaped first), facets, filters, sort, feeds."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from webapp.search_views import highlighter

BASE = "http://localhost"


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return lxml_html.document_fromstring(response.data)


def titles(document) -> list[str]:
    return [a.text_content() for a in document.xpath("//ol[@class='entries']//a[@class='title']")]


@pytest.mark.parametrize(
    ("q", "word"), [("hub", "hub"), ("informacion", "inform"), ("migrant", "migrant")]
)
def test_search_finds_and_marks_the_words(client, q, word):
    document = page(client, f"/search?q={q}")
    assert titles(document)
    marks = [m.text_content().lower() for m in document.xpath("//ol[@class='entries']//mark")]
    assert marks and all(word in m for m in marks)


def test_marks_are_added_to_escaped_text():
    mark = highlighter(("b",))
    assert str(mark("<b>a & b</b>")) == (
        "&lt;<mark>b</mark>&gt;a &amp; <mark>b</mark>&lt;/<mark>b</mark>&gt;"
    )
    assert str(highlighter(("informacion",))("Información, INFORMATION!")) == (
        "<mark>Información</mark>, <mark>INFORMATION</mark>!"
    )
    assert str(highlighter(())("<i>")) == "&lt;i&gt;"


def test_facets_count_and_narrow(client):
    document = page(client, "/search?q=migrant")
    total = int(document.xpath("string(//p[@class='count'])").split()[0])
    facets = {h.text: h.getnext() for h in document.xpath("//aside[@class='facets']/h3")}
    assert set(facets) == {"Country", "Topic", "Year"}
    years = facets["Year"].xpath("./li/span[@class='n']/text()")
    assert sum(map(int, years)) == total
    (mexico,) = facets["Country"].xpath("./li[a[text()='Mexico']]")
    narrowed = page(client, mexico.xpath("./a/@href")[0].removeprefix(BASE))
    count = int(narrowed.xpath("string(//p[@class='count'])").split()[0])
    assert count == int(mexico.xpath("./span/text()")[0])
    assert "Country: Mexico" in narrowed.xpath("//div[@class='filters']//span/text()")


def test_relevance_reorders_the_same_matches(client):
    newest = titles(page(client, "/search?q=migrant&limit=100"))
    relevant = titles(page(client, "/search?q=migrant&sort=relevance&limit=100"))
    assert sorted(newest) == sorted(relevant)
    assert relevant != newest


def test_the_search_has_a_feed_and_a_panel(client):
    document = page(client, "/search?q=information+hub")
    feeds = document.xpath("//a[contains(@class, 'feed')]/@href")
    assert f"{BASE}/feeds/all.atom?q=information+hub" in feeds
    assert client.get("/feeds/all.atom?q=information+hub").status_code == 200
    assert document.xpath("//section[@id='subscribe']")


def test_an_empty_search_explains_the_language(client):
    document = page(client, "/search")
    assert document.xpath("//details[@open]//code[text()='-covid']")
    assert not titles(document)


@pytest.mark.parametrize(
    ("query", "says"),
    [("q=hub&sort=best", "sort must be newest or relevance"), ("q=-covid", "not only -exclusions")],
)
def test_bad_searches_answer_400(client, query, says):
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)


def test_feeds_take_sort_relevance_and_keep_it_in_their_links(client):
    import feedparser

    newest = feedparser.parse(client.get("/feeds/all.atom?q=migrant&limit=100").data)
    relevant = feedparser.parse(
        client.get("/feeds/all.atom?q=migrant&sort=relevance&limit=100").data
    )
    assert relevant.bozo == 0
    assert sorted(e.id for e in newest.entries) == sorted(e.id for e in relevant.entries)
    assert [e.id for e in newest.entries] != [e.id for e in relevant.entries]
    (self_link,) = [link.href for link in relevant.feed.links if link.rel == "self"]
    assert "sort=relevance" in self_link
    # Without words there is nothing to rank: newest first, and links leave it out.
    plain = client.get("/feeds/all.atom?sort=relevance").data
    assert plain == client.get("/feeds/all.atom").data
    assert client.get("/feeds/all.atom?q=x&sort=best").status_code == 400
