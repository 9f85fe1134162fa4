"""Debian's feed programs on a live server (issue 15): sfeed, newsboat and rss2email (r2e).

Each runs as a person would run it, with its own configuration in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from crossclient import FEEDS, Item, assert_same, expected, fetch, item, missing, page_urls, server

__all__ = ["server"]

#: Loopback never through a proxy, whatever the environment says.
NO_PROXY = {"no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | NO_PROXY,
        **kwargs,  # type: ignore[arg-type]
    )
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result


def by_id(read: Item) -> str:
    return read.id


def when(seconds: str | int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC)


# --- sfeed: feed on standard input, one TSV line per item ------------------------------


def sfeed_items(body: bytes) -> list[Item]:
    result = subprocess.run(["sfeed"], input=body, capture_output=True, timeout=60, check=True)
    items = []
    for line in result.stdout.decode().splitlines():
        fields = line.split("\t")
        categories = [c for c in fields[8].split("|") if c]
        items.append(item(fields[5], fields[1], fields[2], when(fields[0]), categories))
    return items


@pytest.mark.skipif(missing("sfeed") is not None, reason=missing("sfeed") or "")
@pytest.mark.parametrize("extension", ["atom", "rss"])
@pytest.mark.parametrize("feed", FEEDS)
def test_sfeed(server, feed, extension):
    got = [i for url in page_urls(server, feed, extension) for i in sfeed_items(fetch(url))]
    assert_same(got, expected(server, feed))


# --- newsboat: reload, then its cache (SQLite) holds what it read -----------------------


@pytest.mark.skipif(missing("newsboat") is not None, reason=missing("newsboat") or "")
@pytest.mark.parametrize("extension", ["atom", "rss"])
@pytest.mark.parametrize("feed", FEEDS)
def test_newsboat(server, feed, extension, tmp_path):
    # One cache per feed: newsboat keeps one copy of a guid across all its feeds (README).
    urls = page_urls(server, feed, extension)
    (tmp_path / "urls").write_text("".join(f"{url}\n" for url in urls))
    (tmp_path / "config").write_text("")
    cache = tmp_path / "cache.db"
    command = ["newsboat", "-u", str(tmp_path / "urls"), "-c", str(cache)]
    run([*command, "-C", str(tmp_path / "config"), "-x", "reload"], cwd=tmp_path)
    with sqlite3.connect(cache) as db:
        rows = {
            url: db.execute(
                "SELECT guid, title, url, pubDate FROM rss_item WHERE feedurl = ? ORDER BY id",
                (url,),
            ).fetchall()
            for url in urls
        }
    got = sorted((item(g, t, u, when(p)) for url in urls for g, t, u, p in rows[url]), key=by_id)
    # newsboat keeps no categories in its cache, and its own order: compared by id.
    assert_same(got, sorted(expected(server, feed), key=by_id), categories=False)


# --- rss2email: each item becomes a message, delivered to a maildir ---------------------

R2E_CONFIG = """\
[DEFAULT]
from = feeds@example.org
to = reader@example.org
email-protocol = maildir
maildir-path = {maildir}
maildir-mailbox = inbox
date-header = True
date-header-order = issued, modified
html-mail = False
"""


def r2e_messages(maildir: Path) -> list[email.message.EmailMessage]:
    messages = []
    for path in sorted((maildir / "inbox" / "new").iterdir()):
        with path.open("rb") as file:
            messages.append(email.message_from_binary_file(file, policy=email.policy.default))
    return messages


@pytest.mark.skipif(missing("r2e") is not None, reason=missing("r2e") or "")
@pytest.mark.parametrize("extension", ["atom", "rss"])
@pytest.mark.parametrize("feed", FEEDS)
def test_rss2email(server, feed, extension, tmp_path):
    maildir = tmp_path / "maildir"
    for folder in ("cur", "new", "tmp"):
        (maildir / "inbox" / folder).mkdir(parents=True)
    config = tmp_path / "r2e.cfg"
    r2e = ["r2e", "-c", str(config), "-d", str(tmp_path / "r2e.json")]
    urls = page_urls(server, feed, extension)
    run([*r2e, "new", "reader@example.org"])
    config.write_text(R2E_CONFIG.format(maildir=maildir))
    for number, url in enumerate(urls):
        run([*r2e, "add", f"page{number}", url])
    run([*r2e, "run"])
    run([*r2e, "run"])  # the second run must send nothing more
    got = {}
    for message in r2e_messages(maildir):
        tags = message.get("X-RSS-TAGS")
        categories = [t.strip() for t in str(tags).split(",")] if tags else []
        date = email.utils.parsedate_to_datetime(str(message["Date"]))
        read = item(
            str(message["X-RSS-ID"]),
            str(message["Subject"]),
            str(message["X-RSS-URL"]),
            date,
            categories,
        )
        assert read.id not in got, "a message twice"
        got[read.id] = read
    # rss2email sends in its own order: compared by id. In RSS, a title that feedparser
    # takes for HTML is turned into text as HTML ("</b>" becomes "**"): README.
    assert_same(
        sorted(got.values(), key=by_id),
        sorted(expected(server, feed), key=by_id),
        html_looking_titles=extension != "rss",
    )
