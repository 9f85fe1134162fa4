"""E-mail subscriptions end to end in headless Chromium (issue 16): sign up on
/country/mexico, confirm from the message a real SMTP server (aiosmtpd) received, then
``feeds subscribers send`` delivers the one new entry, one-click unsubscribe, and the
next run sends nothing.

Needs Debian's ``chromium`` (``make test`` installs it as root) and Playwright's Python
package; never ``playwright install``.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from liveserver import BIN, HOST, app_environ, free_port, start_app, stop, wait_until_serving
from loopback import RecordingHandler, smtp_server
from samples import COSTA_RICA, MEXICO, entry_text
from test_widget_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium package at /usr/bin/chromium; `make test` installs "
        "it when run as root",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright Python package (pip install -e .[test])"
)

ADDRESS = "lector@example.org"
NEW_TITLE = "Mexico opens a new migrant information centre in Tapachula"
NEW_ENTRY = entry_text("20 March, 2021", NEW_TITLE, "The centre in Mexico helps migrants.")
LATER_ENTRY = entry_text("22 March, 2021", "Mexico trains consular staff", "In Mexico City.")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.txt").write_text(MEXICO + COSTA_RICA, encoding="utf-8")
    handler = RecordingHandler()
    with smtp_server(handler) as smtp_port:
        port = free_port()
        origin = f"http://{HOST}:{port}"
        settings = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'subscribers.db'}",
            "SECRET_KEY": "browser test secret key",
            "SMTP_URL": f"smtp://{HOST}:{smtp_port}",
            "MAIL_FROM": "Newsroom <news@example.org>",
            "BASE_URL": origin,
            "RELOAD_SECONDS": "0",
        }
        environ = app_environ(archive, **settings)
        log = tmp_path / "serve.log"
        process = start_app(port, environ, log)
        try:
            wait_until_serving(port, process, log)
            yield {"origin": origin, "archive": archive, "handler": handler, "env": environ}
        finally:
            stop(process)


def send(environ: dict[str, str]) -> str:
    done = subprocess.run([str(BIN / "feeds"), "subscribers", "send"], env=environ,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def body(message: Any) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_sign_up_confirm_receive_one_digest_and_unsubscribe(world):
    handler = world["handler"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(world["origin"] + "/country/mexico")
            form = page.locator("form.signup")
            form.locator("input[name=email]").fill(ADDRESS)
            form.locator("input[name=period][value=daily]").check()
            form.locator("button[type=submit]").click()
            sync_api.expect(page.locator("main")).to_contain_text("a message is on its way")

            (confirmation,) = handler.messages
            assert confirmation["To"] == ADDRESS
            link = re.search(r"http://\S+/subscribe/confirm/\S+", body(confirmation))[0]
            page.goto(link)
            sync_api.expect(page.locator("h1")).to_have_text("Confirm your subscription")
            page.get_by_role("button", name="Confirm my subscription").click()
            sync_api.expect(page.locator("h1")).to_have_text("Subscription confirmed")

            (world["archive"] / "b.txt").write_text(NEW_ENTRY, encoding="utf-8")
            assert send(world["env"]).startswith("1 sent")
            digests = [m for m in handler.messages if m["List-Unsubscribe"]]
            (digest,) = digests
            assert digest["To"] == ADDRESS
            assert NEW_TITLE in body(digest)
            assert "Mexico hosts forum" not in body(digest)  # there before the sign-up
            unsubscribe = re.search(r"<(http[^>]+)>", str(digest["List-Unsubscribe"]))[1]
            answer = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
            assert answer.status == 200
        finally:
            browser.close()

    (world["archive"] / "c.txt").write_text(LATER_ENTRY, encoding="utf-8")
    assert send(world["env"]).startswith("0 sent")
    assert len(handler.messages) == 2
