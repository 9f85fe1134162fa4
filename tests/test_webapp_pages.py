"""HTML pages, the OPML list and /healthz: content, autodiscovery, escaping, no outside assets."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from feedlint import lint_opml
from lxml import etree
from lxml import html as lxml_html

from feeds.classify.countries import country_by_code
from feeds.classify.regions import all_regions
from webapp import pages as pages_module

BASE = "http://localhost"
FEED_TYPES = {
    "application/atom+xml": "atom",
    "application/rss+xml": "rss",
    "application/feed+json": "json",
}
PAGES = ["/", "/country/mexico", "/topic/labour-migration", "/region/central-america", "/news",
         "/search?q=migrants"]  # fmt: skip
READERS = tuple(prefix for _name, prefix in pages_module.READERS)


def page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return lxml_html.document_fromstring(response.data)


def autodiscovery(document) -> dict[str, str]:
    """Feed format → href of the page's ``<link rel="alternate">`` for it."""
    links = document.xpath("//head/link[@rel='alternate']")
    found = {FEED_TYPES[link.get("type")]: link.get("href") for link in links}
    assert len(found) == len(links) == 3
    return found


def catalog_of(app):
    return app.extensions["feeds"].store.catalog


def entry_page_urls(app) -> list[str]:
    return [f"/entries/{entry.id}" for entry in catalog_of(app).entries]


# --- Home -------------------------------------------------------------------------------


def test_home_lists_every_non_empty_country_and_topic_with_counts_and_formats(client, app):
    catalog = catalog_of(app)
    document = page(client, "/")
    rows = {}
    for row in document.xpath("//table[contains(@class, 'feeds')]/tbody/tr"):
        link = row.xpath(".//td[1]/a")[0]
        formats = [a.get("href") for a in row.xpath(".//a[contains(@class, 'feed')]")]
        rows[link.get("href")] = (int(row.xpath("string(.//td[2])")), formats)
    expected = {f"{BASE}/": len(catalog.entries)}
    for code, keys in catalog.country_index.items():
        expected[f"{BASE}/country/{country_by_code(code).slug}"] = len(keys)
    for slug, keys in catalog.topic_index.items():
        if keys:
            expected[f"{BASE}/topic/{slug}"] = len(keys)
    for region in all_regions():
        if catalog.region_index[region.slug]:
            expected[f"{BASE}/region/{region.slug}"] = len(catalog.region_index[region.slug])
    assert {url: count for url, (count, _formats) in rows.items()} == expected
    for url, (_count, formats) in rows.items():
        path = urlsplit(url).path.strip("/") or "all"
        assert formats == [f"{BASE}/feeds/{path}.{ext}" for ext in ("atom", "rss", "json")]


def test_home_shows_counts_per_month_as_a_small_chart(client, app):
    document = page(client, "/")
    rows = document.xpath("//table[contains(@class, 'feeds')]/tbody/tr")
    assert rows
    for row in rows:
        (chart,) = row.xpath(".//svg")
        bars = [int(title.text.rsplit(": ", 1)[1]) for title in chart.xpath(".//rect/title")]
        # The sample archive spans three months, all inside the chart's twelve.
        assert sum(bars) == int(row.xpath("string(.//td[2])"))
        assert len(bars) == 12


def test_home_has_the_latest_headlines_linking_to_their_pages(client, app):
    latest = catalog_of(app).entries[:10]
    document = page(client, "/")
    headlines = document.xpath("//section[contains(@class, 'latest')]//a[@class='title']")
    assert [(a.text_content(), a.get("href")) for a in headlines] == [
        (entry.title, f"{BASE}/entries/{entry.id}") for entry in latest
    ]


def test_home_autodiscovers_the_all_news_feeds(client):
    assert autodiscovery(page(client, "/")) == {
        ext: f"{BASE}/feeds/all.{ext}" for ext in ("atom", "rss", "json")
    }


def test_home_of_an_empty_topic_list_leaves_it_out(client, app):
    document = page(client, "/")
    empty = [
        t.slug for t in catalog_of(app).taxonomy.topics if not catalog_of(app).topic_index[t.slug]
    ]
    assert empty  # the sample archive has topics without entries
    hrefs = {a.get("href") for a in document.iter("a")}
    assert not {f"{BASE}/topic/{slug}" for slug in empty} & hrefs


# --- Selection pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "index"),
    [
        ("country/mexico", "Mexico", ("country_index", "MX")),
        ("topic/labour-migration", "Labour migration", ("topic_index", "labour-migration")),
        ("region/central-america", "Central America", ("region_index", "central-america")),
    ],
)
def test_selection_pages_list_their_entries_and_discover_their_feeds(
    client, app, path, name, index
):
    catalog = catalog_of(app)
    document = page(client, f"/{path}")
    assert document.findtext(".//h1") == name
    assert autodiscovery(document) == {
        ext: f"{BASE}/feeds/{path}.{ext}" for ext in ("atom", "rss", "json")
    }
    keys = getattr(catalog, index[0])[index[1]]
    expected = [f"{BASE}/entries/{entry.id}" for entry in catalog.entries_at(keys[:20])]
    assert [a.get("href") for a in document.xpath("//li[@class='entry']/a[@class='title']")] == (
        expected
    )


def test_an_iso_country_without_news_has_an_empty_page(client):
    document = page(client, "/country/antarctica")
    assert document.findtext(".//h1") == "Antarctica"
    assert document.xpath("//p[@class='empty']")
    assert autodiscovery(document)["atom"] == f"{BASE}/feeds/country/antarctica.atom"


def test_selection_page_filters_and_pages_like_its_feed(client):
    document = page(client, "/country/mexico?q=labour&limit=2")
    assert autodiscovery(document)["rss"] == f"{BASE}/feeds/country/mexico.rss?q=labour"
    (older,) = document.xpath("//nav[@class='pager']/a[@rel='next']")
    assert older.get("href") == f"{BASE}/country/mexico?q=labour&limit=2&page=2"
    last = page(client, "/country/mexico?q=labour&limit=2&page=2")
    assert last.xpath("//nav[@class='pager']/a[@rel='prev']")


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/country/mx", "/country/mexico"),
        ("/country/MX?limit=5", "/country/mexico?limit=5"),
        ("/country/El-Salvador", "/country/el-salvador"),
        ("/topic/HEALTH", "/topic/health"),
        ("/region/Caribbean", "/region/caribbean"),
    ],
)
def test_page_slugs_redirect_to_the_canonical_spelling(client, url, location):
    response = client.get(url)
    assert (response.status_code, response.headers["Location"]) == (301, BASE + location)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/country/atlantis", 404, "unknown country 'atlantis'"),
        ("/topic/nope", 404, "topics are: labour-migration"),
        ("/region/atlantis", 404, "regions are: central-america"),
        ("/entries/no-such-entry", 404, "no entry 'no-such-entry'"),
        ("/country/mexico?page=9", 400, "page must be from 1 to 1"),
        ("/topic/health?limit=0", 400, "limit"),
        ("/?country=mexico&country=haiti", 200, ""),  # the home page takes no parameters
    ],
)
def test_page_errors(client, url, status, says):
    response = client.get(url)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["country", "topic", "region"])
def test_kind_index_redirects_to_its_home_section(client, kind):
    response = client.get(f"/{kind}/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/#{kind}"
    assert page(client, "/").get_element_by_id(kind) is not None


# --- Entry pages ------------------------------------------------------------------------


def test_every_entry_has_a_permalink_page(client, app):
    catalog = catalog_of(app)
    for entry in catalog.entries:
        document = page(client, f"/entries/{entry.id}")
        assert document.findtext(".//h1") == entry.title
        paragraphs = [p.text_content() for p in document.xpath("//article/p")][1:]
        assert paragraphs == list(entry.summary)
        assert document.xpath("//time/@datetime") == [entry.date.isoformat()]
        links = set(document.xpath("//article//dd/a/@href"))
        assert links == {
            f"{BASE}/country/{country_by_code(code).slug}" for code in entry.countries
        } | {f"{BASE}/topic/{slug}" for slug in entry.topics}


def test_every_feed_item_links_to_its_entry_page(client):
    body = client.get("/feeds/all.atom?limit=100").data
    links = etree.fromstring(body).xpath(
        "//a:entry/a:link/@href", namespaces={"a": "http://www.w3.org/2005/Atom"}
    )
    assert len(links) == 20
    for link in links:
        assert link.startswith(f"{BASE}/entries/")
        assert client.get(link).status_code == 200


# --- OPML -------------------------------------------------------------------------------


def test_opml_lists_every_non_empty_feed_and_each_answers(client, app):
    response = client.get("/feeds.opml")
    assert response.headers["Content-Type"] == "text/x-opml; charset=utf-8"
    assert lint_opml(response.data) == []
    outlines = etree.fromstring(response.data).xpath("//outline[@xmlUrl]")
    catalog = catalog_of(app)
    non_empty = 1 + len(catalog.country_index)
    non_empty += sum(1 for p in catalog.topic_index.values() if p)
    non_empty += sum(1 for p in catalog.region_index.values() if p)
    assert len(outlines) == non_empty
    for outline in outlines:
        assert outline.get("title").startswith("Newsroom — ")
        for attribute in ("xmlUrl", "htmlUrl"):
            url = outline.get(attribute)
            assert url.startswith(BASE + "/")
            assert client.get(url).status_code == 200, url
    assert {o.get("xmlUrl") for o in outlines} >= {
        f"{BASE}/feeds/all.atom",
        f"{BASE}/feeds/country/mexico.atom",
        f"{BASE}/feeds/topic/labour-migration.atom",
    }


# --- Health -----------------------------------------------------------------------------


def test_healthz_reports_entries_and_archive_version(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    health = json.loads(response.data)
    assert health["entries"] == 20
    assert health["version"] == catalog_of(app).version
    assert health["status"] == "ok"


# --- Escaping and what a page may load ---------------------------------------------------

SCRIPT_TITLE = "Mexico <script>alert('title')</script> & \"Guatemala\" <img src=x onerror=alert(1)>"
SCRIPT_SUMMARY = "</p><script>alert('summary')</script><a href=\"javascript:alert(2)\">x</a>"


@pytest.fixture
def hostile_client(write_archive, make_app):
    archive = write_archive({
        "hostile.txt": f"2 May, 2021\n\n{SCRIPT_TITLE}\n\n{SCRIPT_SUMMARY}\n",
    })  # fmt: skip
    app = make_app(ARCHIVE=archive)
    return app.test_client(), app.extensions["feeds"].store.catalog.entries[0]


def hostile_pages(entry) -> list[str]:
    return ["/", f"/entries/{entry.id}", "/country/mexico", "/country/guatemala",
            "/region/central-america", "/country/mexico?q=alert"]  # fmt: skip


def assert_only_our_scripts(document, url: str) -> None:
    """Scripts are files of ours (issue 17: copy buttons) or schema.org data that parses as
    JSON; never inline code."""
    for script in document.xpath("//script"):
        if script.get("type") == "application/ld+json":
            assert json.loads(script.text)["@type"] == "NewsArticle", url
            assert "<" not in script.text, url  # no way out of the element
        else:
            assert script.get("src", "").startswith(f"{BASE}/static/"), url
            assert not (script.text or "").strip(), url


def test_archive_markup_is_text_in_every_page(hostile_client):
    client, entry = hostile_client
    for url in hostile_pages(entry):
        response = client.get(url)
        document = lxml_html.document_fromstring(response.data)
        assert_only_our_scripts(document, url)
        assert document.xpath("//@*[starts-with(name(), 'on')]") == [], url
        assert not [h for h in document.xpath("//@href") if h.startswith("javascript:")], url
        assert entry.title in document.text_content(), url
        assert b"<script>" not in response.data
        assert b"&lt;script&gt;" in response.data


def test_pages_send_a_content_security_policy_without_inline_script(client, app):
    for url in [*PAGES, entry_page_urls(app)[0]]:
        policy = client.get(url).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert directives["object-src"] == "'none'"


def test_pages_hold_no_script_no_inline_style_and_no_outside_assets(client, app):
    for url in [*PAGES, "/country/antarctica", entry_page_urls(app)[0]]:
        document = page(client, url)
        assert document.xpath("//style | //*[@style] | //iframe") == [], url
        assert_only_our_scripts(document, url)
        for element, _attribute, target, _pos in document.iterlinks():
            # Every link and asset is absolute under the site's base, or this page's
            # fragment; links out go only to the web feed readers of the subscribe panel.
            if "readers" in element.getparent().get("class", ""):
                assert target.startswith(READERS), (url, target)
                continue
            assert target.startswith(BASE + "/") or target.startswith("#"), (url, target)
        (stylesheet,) = document.xpath("//link[@rel='stylesheet']/@href")
        assert stylesheet == f"{BASE}/static/style.css"


def test_the_one_stylesheet_is_small_and_self_contained(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        css = response.get_data(as_text=True)
    assert len(css) < 10_000
    assert "@import" not in css and "url(" not in css  # no fonts or images from elsewhere
    assert "@media" in css  # a layout for narrow screens too


def test_pages_are_readable_on_a_phone(client, app):
    for url in [*PAGES, entry_page_urls(app)[0]]:
        document = page(client, url)
        (viewport,) = document.xpath("//meta[@name='viewport']/@content")
        assert "width=device-width" in viewport
        assert document.get("lang") == "en"
        assert document.findtext(".//title")


def test_dates_on_pages_are_the_entries_dates(client, app):
    entry = catalog_of(app).entries[0]
    document = page(client, f"/entries/{entry.id}")
    (time,) = document.xpath("//article//time")
    assert dt.date.fromisoformat(time.get("datetime")) == entry.date
    assert time.text == f"{entry.date.day} {entry.date:%B %Y}"


# --- Issue 17: all news, entry pages, chips, subscribe panel ---------------------------


def test_all_news_pages_through_every_entry(client, app):
    total = len(catalog_of(app).entries)
    seen, url = [], "/news?limit=7"
    while url:
        document = page(client, url)
        seen += document.xpath("//ol[@class='entries']/li/a[@class='title']/@href")
        (url,) = document.xpath("//nav[@class='pager']/a[@rel='next']/@href") or [None]
        url = url and url.removeprefix(BASE)
    assert len(seen) == len(set(seen)) == total
    assert page(client, "/").xpath(f"//a[@href='{BASE}/news']")


def test_entry_pages_have_breadcrumbs_neighbours_and_a_subscribe_prompt(client, app):
    catalog = catalog_of(app)
    entries = catalog.entries
    mexican = next(e for e in entries[1:-1] if "MX" in e.countries)
    at = list(entries).index(mexican)
    document = page(client, f"/entries/{mexican.id}")

    crumbs = document.xpath("//nav[@class='crumbs']//a/@href")
    assert crumbs[0] == f"{BASE}/" and crumbs[1].startswith(f"{BASE}/country/")
    assert document.xpath("//a[@rel='prev']/@href") == [f"{BASE}/entries/{entries[at - 1].id}"]
    assert document.xpath("//a[@rel='next']/@href") == [f"{BASE}/entries/{entries[at + 1].id}"]
    prompt = document.xpath("string(//aside[@class='prompt'])")
    assert "subscribe to Mexico" in prompt
    assert document.xpath(f"//aside//a[@href='{BASE}/country/mexico#subscribe']")


def test_entry_pages_carry_open_graph_and_news_article_data(client, app):
    entry = catalog_of(app).entries[0]
    document = page(client, f"/entries/{entry.id}")
    og = {m.get("property"): m.get("content") for m in document.xpath("//meta[@property]")}
    assert og["og:title"] == entry.title
    assert og["og:type"] == "article"
    assert og["og:url"] == f"{BASE}/entries/{entry.id}"
    (script,) = document.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == entry.title[:110]
    assert data["datePublished"] == entry.date.isoformat()


def test_json_ld_cannot_end_its_script_element(hostile_client):
    client, entry = hostile_client
    response = client.get(f"/entries/{entry.id}")
    body = response.get_data(as_text=True)
    script = body.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script
    assert json.loads(script)["headline"] == entry.title[:110]


def test_chips_are_by_name_without_the_pages_own_country(client, app):
    document = page(client, "/country/mexico")
    for item in document.xpath("//li[@class='entry']"):
        countries = item.xpath(".//span[@class='tags']/a[@class='country']/text()")
        assert "Mexico" not in countries
        assert countries == sorted(countries)
    home = page(client, "/")
    assert home.xpath("//li[@class='entry']//a[@class='topic']"), "lists show topics"


@pytest.mark.parametrize(
    ("url", "lead"),
    [
        ("/country/united-states", "Press releases about the United States."),
        ("/region/caribbean", "Press releases about the Caribbean."),
        ("/country/mexico", "Press releases about Mexico."),
    ],
)
def test_places_read_right_in_a_sentence(client, url, lead):
    assert page(client, url).xpath("string(//p[@class='lead'])") == lead


def test_a_filtered_page_says_so_and_each_filter_can_be_cleared(client):
    document = page(client, "/country/mexico?q=informacion&topic=labour-migration")
    labels = document.xpath("//div[@class='filters']//li/span/text()")
    assert labels == ["Words: informacion", "Topic: Labour migration"]
    clears = document.xpath("//div[@class='filters']//li/a/@href")
    assert clears == [
        f"{BASE}/country/mexico?topic=labour-migration",
        f"{BASE}/country/mexico?q=informacion",
    ]
    assert document.xpath(f"//div[@class='filters']//a[@href='{BASE}/country/mexico']")


def test_every_selection_page_has_a_subscribe_panel(client):
    for url in ["/country/mexico", "/topic/labour-migration", "/region/central-america", "/news"]:
        document = page(client, url)
        (panel,) = document.xpath("//section[@id='subscribe']")
        values = panel.xpath(".//input[@readonly]/@value")
        assert [v.rsplit(".", 1)[1] for v in values] == ["atom", "rss", "json"], url
        assert panel.xpath(".//button[@data-copy]"), url
        readers = panel.xpath(".//p[@class='readers']/a/text()")
        assert readers == ["Feedly", "Inoreader", "NewsBlur", "The Old Reader"], url
        hrefs = panel.xpath(".//p[@class='readers']/a/@href")
        assert all(h.endswith(values[0]) for h in hrefs), url
        assert panel.xpath(f".//a[starts-with(@href, '{BASE}/syndicate#feed=')]"), url
        assert panel.xpath(".//*[@class='signup-pending'] | .//form"), url


def test_every_page_has_a_labelled_search_box(client, app):
    for url in [*PAGES, entry_page_urls(app)[0]]:
        document = page(client, url)
        (form,) = document.xpath("//header//form[@role='search']")
        assert form.get("action") == f"{BASE}/search"
        (field,) = form.xpath(".//input[@name='q']")
        assert form.xpath(f".//label[@for='{field.get('id')}']")
