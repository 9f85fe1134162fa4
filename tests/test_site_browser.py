"""Every page kind in headless Chromium at 1280 and 390 pixels (and 360: no overflow),
checked by axe-core; the search and filter flow, the keyboard, a feed in a browser and the
widget's states (issue 17).

Needs Debian's ``chromium`` and the Playwright Python package (as
``tests/test_widget_browser.py``), and axe-core from npm in ``tests/browser/node_modules``
(``scripts/test-deps.sh`` installs it with ``npm ci``); otherwise the tests skip and say why.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from liveserver import app_environ, free_port, start_app, stop, wait_until_serving
from loopback import Answer, ScriptedServer
from test_widget_browser import CHROMIUM, TIMEOUT_MS, Service, browser  # noqa: F401 (a fixture)

AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
REAL_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium package at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
sync_api.expect.set_options(timeout=TIMEOUT_MS)
needs_axe = pytest.mark.skipif(
    not AXE.is_file(),
    reason=f"needs axe-core at {AXE}: `npm ci --prefix tests/browser` (scripts/test-deps.sh)",
)

WIDTHS = (1280, 390)
#: One URL of every page kind, then the kinds of error and embedded pages.
PAGES = {
    "home": "/",
    "all news": "/news?limit=5&page=2",
    "country": "/country/mexico",
    "topic": "/topic/labour-migration",
    "region": "/region/central-america",
    "filtered": "/country/mexico?q=informacion&topic=labour-migration",
    "search": "/search?q=migrant+OR+hub&sort=relevance",
    "empty search": "/search",
    "syndicate": "/syndicate",
    "not found": "/entries/no-such-entry",
    "widget iframe": "/embed/headlines?feed=country/mexico&limit=5&summary=true",
    "empty widget": "/embed/headlines?feed=country/antarctica",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("site")
    archive = Path(shutil.copytree(REAL_ARCHIVE, root / "archive"))
    port = free_port()
    process = start_app(port, app_environ(archive, RELOAD_SECONDS="0"), root / "serve.log")
    try:
        wait_until_serving(port, process, root / "serve.log")
        yield Service(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process)


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811
    """``tab(width)``: a page of that width; axe is injected past the pages' CSP."""
    contexts: list[Any] = []

    def make(width: int, **options: Any) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 800}, bypass_csp=True, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.messages = []
        page.on("console", lambda message: page.messages.append((message.type, message.text)))
        return page

    yield make
    for context in contexts:
        context.close()


ENTRY = (
    "/entries/2021-03-06-iom-trained-mexicali-municipal-police-to-better-protect-migrant-children"
)


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))"
    )
    return list(found)


def all_pages(service: Service) -> dict[str, str]:
    return {**PAGES, "entry": ENTRY}


@pytest.mark.parametrize("width", [*WIDTHS, 360])
def test_no_page_overflows(service, tab, width):
    page = tab(width)
    wide = {}
    for kind, url in all_pages(service).items():
        page.goto(service.origin + url)
        if overflow(page) > 0:
            wide[kind] = overflow(page)
    assert wide == {}


@needs_axe
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(service, tab, width, scheme):
    page = tab(width, color_scheme=scheme)
    found = {}
    for kind, url in all_pages(service).items():
        page.goto(service.origin + url)
        violations = serious_violations(page)
        if violations:
            found[kind] = violations
    assert found == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_search_and_filter_flow(service, tab, width):
    page = tab(width)
    page.goto(service.origin + "/")
    page.get_by_role("searchbox", name="Search the press releases").fill("migrant")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=migrant")
    sync_api.expect(page.locator("ol.entries mark").first).to_contain_text(
        "migrant", ignore_case=True
    )
    total = int(page.locator("p.count").inner_text().split()[0])
    page.locator("aside.facets").get_by_role("link", name="Mexico").click()
    sync_api.expect(page.locator(".filters")).to_contain_text("Country: Mexico")
    narrowed = int(page.locator("p.count").inner_text().split()[0])
    assert 0 < narrowed < total
    page.get_by_role("link", name="Remove the filter Country: Mexico").click()
    page.wait_for_url("**/search?q=migrant")
    assert int(page.locator("p.count").inner_text().split()[0]) == total
    page.get_by_role("link", name="most relevant first").click()
    sync_api.expect(page.locator(".filters")).to_contain_text("Most relevant first")


def test_everything_works_by_keyboard(service, tab):
    page = tab(390)
    page.goto(service.origin + "/country/mexico")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    sync_api.expect(skip).to_have_text("Skip to the content")
    assert skip.bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # Tab reaches the search box, with a visible focus ring, and Enter searches.
    page.goto(service.origin + "/country/mexico")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("hub")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=hub")
    first = page.locator("ol.entries a.title").first
    first.focus()
    assert first.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    # The copy buttons of the subscribe panel are buttons, and copy by keyboard.
    page.goto(service.origin + "/country/mexico")
    button = page.locator("#subscribe button.copy").first
    sync_api.expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#subscribe [role=status]")).not_to_be_empty()


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds/country/mexico.rss"])
def test_a_feed_opened_in_a_browser_is_styled(service, tab, path):
    page = tab(390)
    page.goto(service.origin + path)
    root = page.evaluate("document.documentElement.localName")
    intro = page.evaluate(
        "getComputedStyle(document.querySelector('feed, channel'), '::before').content"
    )
    assert "web feed" in intro and "feed reader" in intro, root
    titles = page.locator("entry > title, item > title")
    assert titles.count() > 0
    assert titles.first.evaluate("e => getComputedStyle(e).display") == "block"
    hidden = page.locator("entry > id, item > guid").first
    assert hidden.evaluate("e => getComputedStyle(e).display") == "none"
    assert overflow(page) <= 0


def partner_page(origin: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<script>
window.heights = [];
addEventListener("message", function (event) {{
  if (event.origin !== "{origin}" || event.data.type !== "feeds-headlines:height") return;
  window.heights.push(event.data.height);
  document.querySelectorAll("iframe").forEach(function (frame) {{
    if (frame.contentWindow === event.source) frame.style.height = event.data.height + "px";
  }});
}});
</script></head><body style="margin:0">
<iframe id="news" src="{origin}/embed/headlines?feed=country/mexico&amp;limit=5&amp;summary=true"
  title="Headlines" width="100%" height="50" style="border:0"></iframe>
<div id="unknown" data-feeds-headlines="country/atlantis"></div>
<div id="bogus" data-feeds-headlines="weather"></div>
<div id="empty" data-feeds-headlines="country/antarctica"></div>
<script src="{origin}/embed/headlines.js" async></script>
</body></html>"""


@pytest.fixture(scope="module")
def partner(service: Service) -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        page = partner_page(service.origin)
        server.answers["/partner.html"] = Answer(page.encode(), "text/html; charset=utf-8")
        yield server


def test_the_iframe_sizes_itself_to_its_content_on_a_phone(service, partner, tab):
    page = tab(360)
    page.goto(partner.url("/partner.html"))
    page.wait_for_function("window.heights.length > 0")
    frame = page.frame_locator("#news")
    sync_api.expect(frame.locator("li").first).to_be_visible()
    content = frame.locator("html").evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
    page.wait_for_function(f"document.getElementById('news').offsetHeight === {content}")
    assert content > 300  # five headlines with summaries on a narrow screen
    assert frame.locator("html").evaluate("e => e.scrollHeight <= e.clientHeight")


def test_the_widgets_honest_states_and_console_warnings(service, partner, tab):
    page = tab(390)
    page.goto(partner.url("/partner.html"))
    empty = page.locator("#empty p[part=fallback]")  # in the shadow root
    sync_api.expect(empty).to_contain_text("No headlines yet")
    page.wait_for_function("document.querySelectorAll('[aria-busy]').length === 0")
    warnings = [text for kind, text in page.messages if kind == "warning"]
    assert any("country/atlantis" in w and "unknown country" in w for w in warnings), warnings
    assert any(w.startswith("FeedsHeadlines: weather: not a feed") for w in warnings), warnings


def test_the_subscribe_panel_leads_to_the_widget_of_its_feed(service, tab):
    page = tab(390)
    page.goto(service.origin + "/country/mexico")
    page.locator("#subscribe").get_by_role("link", name="Show these headlines").click()
    page.wait_for_url("**/syndicate#feed=country/mexico")
    sync_api.expect(page.locator("#syndicate-snippet")).to_have_value(
        re.compile('data-feeds-headlines="country/mexico"')
    )
