"""``/digest/<feed>``: the HTML part a digest would have, for editors (issue 6)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feeds.cli import main

#: The day after the sample archive's newest entry (27 April 2021).
APRIL_28 = dt.datetime(2021, 4, 28, 9, 0, tzinfo=dt.UTC)
ENTRY_LINK = re.compile(r'<h3[^>]*><a href="http://localhost/entries/([^"]+)"')


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    app.config["DIGEST_CLOCK"] = lambda: APRIL_28
    return app


@pytest.mark.parametrize(
    ("url", "subject", "entries"),
    [
        (
            "/digest/all?period=daily",
            "Newsroom — All news: daily digest, 28 Apr 2021",
            ["2021-04-27-dominican-republic-starts-pilot-design-of-border-inhabitant-card-to-"],
        ),
        (
            "/digest/country/mexico?period=weekly",
            "Newsroom — Mexico: weekly digest, 21–28 Apr 2021",
            [
                "2021-04-26-new-information-hub-on-migration-opens-in-san-luis-potosi-the-eighteenth-"
            ],
        ),
        (
            "/digest/country/mexico",
            "Newsroom — Mexico: weekly digest, 21–28 Apr 2021",
            [
                "2021-04-26-new-information-hub-on-migration-opens-in-san-luis-potosi-the-eighteenth-"
            ],
        ),
        (
            "/digest/region/caribbean?since=2021-04-01",
            "Newsroom — The Caribbean: digest, 1–28 Apr 2021",
            [
                "2021-04-27-dominican-republic-starts-pilot-design-of-border-inhabitant-card-to-",
                "2021-04-16-more-than-30-information-hubs-shared-their-experiences-in-providing-",
            ],
        ),
    ],
    ids=["all-daily", "country-weekly", "weekly-by-default", "region-since"],
)
def test_preview_shows_the_digest_of_the_period(
    client: FlaskClient, url: str, subject: str, entries: list[str]
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    assert f"<title>{subject}</title>" in html
    found = ENTRY_LINK.findall(html)
    assert len(found) == len(entries)
    assert all(link.startswith(start) for link, start in zip(found, entries, strict=True))


def test_preview_allows_inline_styles_and_no_script(client: FlaskClient) -> None:
    policy_header = client.get("/digest/all").headers["Content-Security-Policy"]

    assert "default-src 'none'" in policy_header
    assert "style-src 'unsafe-inline'" in policy_header
    assert "script" not in policy_header


def test_a_period_with_nothing_new_says_so(client: FlaskClient) -> None:
    html = client.get("/digest/topic/labour-migration?period=daily").get_data(as_text=True)

    assert "Nothing new: a digest made now would send nothing." in html
    assert "<h3" not in html


def test_archive_text_is_escaped(app: Flask, archive_dir: Path) -> None:
    (archive_dir / "new.txt").write_text(
        "27 April, 2021\n\nMexico <script>alert(1)</script> & co\n\n<img src=x> summary\n",
        encoding="utf-8",
    )
    app.extensions["feeds"].store.reload()

    html = app.test_client().get("/digest/country/mexico").get_data(as_text=True)

    assert "Mexico &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x&gt; summary" in html
    assert "<script" not in html and "<img" not in html


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/digest/country/atlantis", 404, "404 Not Found: unknown country 'atlantis'"),
        ("/digest/planet/mars", 404, "404 Not Found: no digest preview at /digest/planet/mars"),
        ("/digest/", 404, "404 Not Found: no digest preview at /digest/;"),
        (
            "/digest/all?period=monthly",
            400,
            "400 Bad Request: period must be daily or weekly, not 'monthly'",
        ),
        (
            "/digest/all?since=last-week",
            400,
            "400 Bad Request: since must be a date as YYYY-MM-DD, not 'last-week'",
        ),
        (
            "/digest/all?since=2021-04-01&period=daily",
            400,
            "400 Bad Request: give period or since, not both",
        ),
        (
            "/digest/all?period=daily&period=weekly",
            400,
            "400 Bad Request: period is given more than once",
        ),
    ],
)
def test_mistakes_are_one_line(client: FlaskClient, url: str, status: int, message: str) -> None:
    response = client.get(url)

    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert body.startswith(message) and body.count("\n") == 1


def test_other_spellings_redirect_keeping_the_period(client: FlaskClient) -> None:
    response = client.get("/digest/country/mx?period=daily")

    assert response.status_code == 301
    assert response.headers["Location"] == "http://localhost/digest/country/mexico?period=daily"


def test_preview_is_the_html_part_the_command_sends(
    make_app: Callable[..., Flask],
    live_server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = make_app(BASE_URL=live_server)  # the same links as the served feeds
    app.config["DIGEST_CLOCK"] = lambda: dt.datetime.now().astimezone()  # the command's clock
    eml = tmp_path / "digest.eml"
    status = main(
        [
            "digest",
            "country/guatemala",
            "--base-url",
            live_server,
            "--name",
            "country/guatemala",
            "--to",
            "desk@example.org",
            "--from",
            "news@example.org",
            "--since",
            "2021-03-01",
            "--state",
            str(tmp_path / "state.json"),
            "--out",
            str(eml),
        ]
    )
    assert status == 0, capsys.readouterr()
    sent = message_from_bytes(eml.read_bytes(), policy=policy.default)
    html_part = sent.get_body(("html",))
    assert html_part is not None

    preview = app.test_client().get("/digest/country/guatemala?since=2021-03-01")

    assert preview.get_data(as_text=True) == html_part.get_content().replace("\r\n", "\n")
