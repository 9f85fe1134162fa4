"""The headlines widget in headless Chromium, on a partner page from a second loopback origin.

Needs Debian's ``chromium`` package (``make test`` installs it when run as root) and the
Playwright Python package; never ``playwright install``. The real service runs under
``feeds serve``; the partner page is served by a tiny static server on another port.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from liveserver import HOST, app_environ, free_port, start_app, stop, wait_until_serving
from loopback import Answer, ScriptedServer
from samples import COSTA_RICA, MEXICO_GUATEMALA, MEXICO_SUMMARY, entry_text

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=(
            "needs Debian's chromium package at /usr/bin/chromium; `make test` installs it "
            "when run as root"
        ),
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright Python package (pip install -e .[test])"
)

TIMEOUT_MS = 10_000
sync_api.expect.set_options(timeout=TIMEOUT_MS)
SCRIPT_TITLE = (
    "Mexico hosts <script>window.__pwned=1</script> and <b>bold</b> "
    '<img src=x onerror="window.__pwned=2"> forum on labour'
)
ARCHIVE = entry_text("12 March, 2021", SCRIPT_TITLE, MEXICO_SUMMARY) + COSTA_RICA + MEXICO_GUATEMALA
MEXICO_TITLES = [SCRIPT_TITLE, "Mexico and Guatemala sign a labour migration agreement"]
PARTNER_CSS = """
body { font-family: Georgia, serif; margin: 12px; }
li { color: rgb(255, 0, 0); }
.title { font-size: 30px; color: rgb(0, 128, 0); }
a { text-decoration: none; color: rgb(0, 0, 255); }
"""
#: Partner elements whose computed styles must not change, and the properties compared.
PARTNER_ELEMENTS = ["body", "h1.title", "#own li", "#own a", "p.title"]
STYLE_PROPERTIES = [
    "color",
    "font-family",
    "font-size",
    "margin-top",
    "text-decoration-line",
    "display",
    "list-style-type",
]


@dataclass
class Service:
    origin: str
    process: subprocess.Popen[bytes]


def start_service(archive: Path, log: Path) -> Service:
    """``feeds serve`` on a free loopback port, once /healthz answers (bounded wait)."""
    port = free_port()
    process = start_app(port, app_environ(archive, RELOAD_SECONDS="0"), log)
    try:
        wait_until_serving(port, process, log)
    except RuntimeError:
        stop(process)
        raise
    return Service(f"http://{HOST}:{port}", process)


def write_archive(directory: Path) -> Path:
    archive = directory / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(ARCHIVE, encoding="utf-8")
    return archive


def partner_page(origin: str, *, widgets: bool = True) -> str:
    """A partner's page: its own styles and elements, two widgets pasted with their scripts."""
    script = f'<script src="{origin}/embed/headlines.js" async></script>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<style>{PARTNER_CSS}</style></head>
<body>
<h1 class="title">Partner news</h1>
<ul id="own"><li><a href="/about">Our own item</a></li></ul>
<div id="mexico" data-feeds-headlines="country/mexico" data-limit="5"></div>
{script if widgets else ""}
<p class="title">Between the widgets</p>
<div id="health" data-feeds-headlines="topic/health" data-limit="3" data-summary="true"
     data-target="_blank"></div>
{script if widgets else ""}
<div id="empty" data-feeds-headlines="country/belize"></div>
</body></html>"""


def iframe_page(origin: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>'
        f"<style>{PARTNER_CSS}</style></head><body>"
        f'<iframe src="{origin}/embed/headlines?feed=country/mexico&amp;limit=5" '
        'title="Headlines" width="600" height="300"></iframe></body></html>'
    )


def html(text: str) -> Answer:
    return Answer(text.encode(), "text/html; charset=utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("widget")
    running = start_service(write_archive(root), root / "serve.log")
    yield running
    stop(running.process)


@pytest.fixture(scope="module")
def partner(service: Service) -> Iterator[ScriptedServer]:
    """The partner's site: a static server on another loopback port."""
    with ScriptedServer() as server:
        server.answers["/partner.html"] = html(partner_page(service.origin))
        server.answers["/control.html"] = html(partner_page(service.origin, widgets=False))
        server.answers["/iframe.html"] = html(iframe_page(service.origin))
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class Tab:
    page: Any
    #: Console errors (a CSP violation is one) and uncaught exceptions, in order.
    errors: list[str]


def _record(tab: Tab, message: Any) -> None:
    # Browsers ask every origin for /favicon.ico; neither server has one.
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        tab.errors.append(f"{message.text} ({message.location['url']})")


@pytest.fixture
def new_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """``new_tab(**context_options)``: a page in a fresh context, closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Tab:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = Tab(context.new_page(), [])
        tab.page.on("console", lambda message: _record(tab, message))
        tab.page.on("pageerror", lambda e: tab.errors.append(str(e)))
        return tab

    yield make
    for context in contexts:
        context.close()


def computed_styles(page: Any) -> dict[str, dict[str, str]]:
    return {
        selector: page.locator(selector).first.evaluate(
            "(e, names) => Object.fromEntries(names.map("
            "n => [n, getComputedStyle(e).getPropertyValue(n)]))",
            STYLE_PROPERTIES,
        )
        for selector in PARTNER_ELEMENTS
    }


def test_widgets_render_linked_headlines(
    new_tab: Callable[..., Tab], service: Service, partner: ScriptedServer
) -> None:
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/partner.html"))
    mexico = page.locator("#mexico li a")
    sync_api.expect(mexico).to_have_count(2)
    assert mexico.all_inner_texts() == MEXICO_TITLES
    hrefs = [link.get_attribute("href") for link in mexico.all()]
    assert all(href.startswith(f"{service.origin}/entries/2021-03-") for href in hrefs)
    assert page.locator("#mexico time").first.get_attribute("datetime") == "2021-03-12"
    assert page.locator("#mexico time").first.inner_text() == "March 12, 2021"
    assert page.locator("#mexico ul").get_attribute("aria-label") == "Newsroom — Mexico"
    health = page.locator("#health li")
    sync_api.expect(health).to_have_count(1)
    assert health.locator("a").inner_text() == "Costa Rica opens border health post"
    assert health.locator("p").inner_text().startswith("The new post in Costa Rica")
    assert health.locator("a").get_attribute("target") == "_blank"
    assert health.locator("a").get_attribute("rel") == "noopener"
    assert mexico.first.get_attribute("target") is None
    assert tab.errors == []


def test_titles_are_text_and_never_run(
    new_tab: Callable[..., Tab], partner: ScriptedServer
) -> None:
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/partner.html"))
    first = page.locator("#mexico li a").first
    sync_api.expect(first).to_have_text(SCRIPT_TITLE)
    assert first.evaluate("e => e.children.length") == 0  # no <script>, no <b>: only text
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_partner_page_is_untouched(new_tab: Callable[..., Tab], partner: ScriptedServer) -> None:
    control = new_tab().page
    control.goto(partner.url("/control.html"))
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/partner.html"))
    sync_api.expect(page.locator("#health li")).to_have_count(1)
    assert computed_styles(page) == computed_styles(control)
    assert computed_styles(page)["#own li"]["color"] == "rgb(255, 0, 0)"
    # Nor do the partner's rules reach into the widget.
    assert page.locator("#mexico li").first.evaluate("e => getComputedStyle(e).color") != (
        "rgb(255, 0, 0)"
    )
    new_globals = page.evaluate(
        "keys => Object.keys(window).filter(k => !keys.includes(k))",
        control.evaluate("Object.keys(window)"),
    )
    assert new_globals == ["FeedsHeadlines"]


def test_empty_feed_shows_a_link_to_its_page(
    new_tab: Callable[..., Tab], service: Service, partner: ScriptedServer
) -> None:
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/partner.html"))
    link = page.locator("#empty a")
    sync_api.expect(link).to_have_text("No headlines yet: Newsroom — Belize")  # issue 17
    assert link.get_attribute("href") == f"{service.origin}/country/belize"
    assert page.locator("#empty li").count() == 0


def test_the_subscribe_option_links_to_our_sign_up_with_the_feed_chosen(
    new_tab: Callable[..., Tab], service: Service, partner: ScriptedServer
) -> None:
    partner.answers["/subscribe.html"] = html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>'
        '</head><body><div id="mx" data-feeds-headlines="country/mexico" data-subscribe="true">'
        f'</div><script src="{service.origin}/embed/headlines.js" async></script></body></html>'
    )
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/subscribe.html"))
    link = page.locator("#mx [part=subscribe]")
    sync_api.expect(link).to_have_text("Get these by e-mail")
    assert link.get_attribute("href") == f"{service.origin}/subscribe?feed=country/mexico"
    assert page.locator("#mx li a[part=link]").all_inner_texts() == MEXICO_TITLES
    # Without the option, no sign-up link.
    page.goto(partner.url("/partner.html"))
    sync_api.expect(page.locator("#mexico li a")).to_have_count(2)
    assert page.locator("#mexico [part=subscribe]").count() == 0
    assert tab.errors == []


def test_server_down_shows_a_link_to_the_feed_page(
    new_tab: Callable[..., Tab], partner: ScriptedServer, tmp_path: Path
) -> None:
    """The script is loaded (or cached), then our server goes away before a widget fetches."""
    down = start_service(write_archive(tmp_path), tmp_path / "serve.log")
    partner.answers["/down.html"] = html(partner_page(down.origin))
    page = new_tab().page
    try:
        page.goto(partner.url("/down.html"))
        sync_api.expect(page.locator("#mexico li")).to_have_count(2)
    finally:
        stop(down.process)
    page.evaluate("""() => {
        const late = document.createElement("div");
        late.id = "late";
        late.setAttribute("data-feeds-headlines", "country/costa-rica?q=health");
        document.body.append(late);
        window.FeedsHeadlines.scan();
    }""")
    link = page.locator("#late a")
    sync_api.expect(link).to_have_text("Latest headlines")
    assert link.get_attribute("href") == f"{down.origin}/country/costa-rica?q=health"
    assert page.locator("#late li").count() == 0


def test_iframe_variant(
    new_tab: Callable[..., Tab], service: Service, partner: ScriptedServer
) -> None:
    tab = new_tab()
    page = tab.page
    page.goto(partner.url("/iframe.html"))
    frame = page.frame_locator("iframe")
    sync_api.expect(frame.locator("li a")).to_have_count(2)
    assert frame.locator("li a").all_inner_texts() == MEXICO_TITLES
    assert frame.locator("li a").first.get_attribute("target") == "_blank"
    more = frame.locator("p.more a")
    assert more.get_attribute("href") == f"{service.origin}/country/mexico"
    assert all(f.evaluate("typeof window.__pwned") == "undefined" for f in page.frames)
    assert tab.errors == []


def test_syndicate_preview_and_copy(new_tab: Callable[..., Tab], service: Service) -> None:
    tab = new_tab(permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto(f"{service.origin}/syndicate")
    preview = page.locator("#syndicate-preview li")
    sync_api.expect(preview).to_have_count(3)  # the whole archive, under the default 5
    page.select_option("#syndicate-feed", "country/costa-rica")
    page.fill("#syndicate-limit", "1")
    sync_api.expect(preview).to_have_count(1)
    sync_api.expect(preview.locator("a")).to_have_text("Costa Rica opens border health post")
    snippet = page.locator("#syndicate-snippet").input_value()
    assert snippet == (
        '<div data-feeds-headlines="country/costa-rica" data-limit="1"></div>\n'
        f'<script src="{service.origin}/embed/headlines.js" async></script>'
    )
    page.click("button[data-copy=syndicate-snippet]")
    sync_api.expect(page.locator("#syndicate-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    assert f"{service.origin}/embed/headlines?feed=country%2Fcosta-rica&amp;limit=1" in (
        page.locator("#syndicate-iframe").input_value()
    )
    assert tab.errors == []  # among them, any Content-Security-Policy violation
