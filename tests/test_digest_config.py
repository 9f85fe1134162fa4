"""The digest configuration file, and the checks options share with it (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.cli import build_parser
from feeds.digest.config import (
    addresses,
    feed_url,
    load_config,
    parse_host_port,
    unsubscribe_uris,
)
from feeds.digest.model import DigestSpec
from feeds.digest.send import SmtpSettings
from feeds.errors import DataFileError, DigestConfigError

GOOD = """\
smtp = "mail.example.org:587"
starttls = true
user = "digests"
password_env = "TEST_DIGEST_PASSWORD"
base_url = "https://news.example.org/"
timeout = 5

[[digest]]
name = "mexico-weekly"
feeds = ["country/mexico", "https://partner.example/feed.rss"]
to = ["press@example.org", "Desk <desk@example.org>"]
from = "Newsroom <news@example.org>"
period = "weekly"
list_unsubscribe = ["leave@example.org", "https://news.example.org/leave"]

[[digest]]
name = "all.daily"
feeds = "all.json"
to = "desk@example.org"
from = "news@example.org"
period = "daily"
subject = "Today"
state = "state/all.json"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digests.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DIGEST_PASSWORD", "s3cret")

    config = load_config(write(tmp_path, GOOD))

    assert config.smtp == SmtpSettings("mail.example.org", 587, True, "digests", "s3cret")
    assert "s3cret" not in repr(config.smtp)
    assert config.timeout == 5
    assert config.digests == (
        DigestSpec(
            name="mexico-weekly",
            feeds=(
                "https://news.example.org/feeds/country/mexico.atom",
                "https://partner.example/feed.rss",
            ),
            to=("press@example.org", "Desk <desk@example.org>"),
            sender="Newsroom <news@example.org>",
            state=tmp_path / "mexico-weekly.state.json",
            period="weekly",
            list_unsubscribe=("mailto:leave@example.org", "https://news.example.org/leave"),
        ),
        DigestSpec(
            name="all.daily",
            feeds=("https://news.example.org/feeds/all.json",),
            to=("desk@example.org",),
            sender="news@example.org",
            state=tmp_path / "state" / "all.json",
            period="daily",
            subject="Today",
        ),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[[digest]]\nname", "[[digest]]\nnom = 1\nname"), ":8: unknown digest setting 'nom'"),
        (
            ('period = "daily"', 'period = "monthly"'),
            ":16: digest 'all.daily': period must be daily or weekly, not 'monthly'",
        ),
        (('name = "all.daily"', 'name = "all daily"'), ":16: digest name 'all daily' must be"),
        (
            ('name = "all.daily"', 'name = "mexico-weekly"'),
            ":9: two digests are named 'mexico-weekly'",
        ),
        (
            ('to = "desk@example.org"', 'to = "desk at example"'),
            ":16: 'desk at example' is not one e-mail address (to)",
        ),
        (('to = "desk@example.org"', "to = []"), ":16: digest 'all.daily': 'to' is missing"),
        (
            ('feeds = "all.json"', 'feeds = "everything"'),
            ":16: feed 'everything' is neither an http(s) URL nor a feed path",
        ),
        (
            ('smtp = "mail.example.org:587"', 'smtp = "mail.example.org"'),
            ":1: SMTP server must be HOST:PORT, not 'mail.example.org'",
        ),
        (("starttls = true", "starttls = 1\nport = 25"), ":3: unknown setting 'port'"),
        (("timeout = 5", "timeout = -1"), ":6: 'timeout' must be a number of seconds"),
        (
            ("list_unsubscribe = [", "list_unsubscribe = ['javascript:x', "),
            ":8: list_unsubscribe 'javascript:x' must be",
        ),
    ],
    ids=[
        "digest-key",
        "period",
        "name",
        "duplicate",
        "address",
        "no-recipient",
        "feed",
        "smtp",
        "top-key",
        "timeout",
        "unsubscribe",
    ],
)
def test_mistakes_name_the_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], message: str
) -> None:
    monkeypatch.setenv("TEST_DIGEST_PASSWORD", "s3cret")
    path = write(tmp_path, GOOD.replace(*change))

    with pytest.raises(DigestConfigError) as caught:
        load_config(path)

    assert str(caught.value).startswith(str(path) + message)


def test_the_password_variable_must_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_DIGEST_PASSWORD", raising=False)

    with pytest.raises(DigestConfigError, match=r"TEST_DIGEST_PASSWORD .* is not set"):
        load_config(write(tmp_path, GOOD))


def test_invalid_toml_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('period = "weekly"', "period = weekly"))

    with pytest.raises(DataFileError, match=f"^{path}:13: invalid TOML"):
        load_config(path)


@pytest.mark.parametrize(
    ("feed", "base", "expected"),
    [
        ("country/mexico", "https://n.example", "https://n.example/feeds/country/mexico.atom"),
        (
            "/feeds/topic/labour-migration.rss",
            "https://n.example/",
            "https://n.example/feeds/topic/labour-migration.rss",
        ),
        ("all.json", "https://n.example/news", "https://n.example/news/feeds/all.json"),
        ("https://partner.example/rss", None, "https://partner.example/rss"),
    ],
)
def test_feed_url(feed: str, base: str | None, expected: str) -> None:
    assert feed_url(feed, base) == expected


@pytest.mark.parametrize(
    ("feed", "base", "message"),
    [
        ("country/mexico", None, "is a path: give the base URL"),
        ("country/../etc", "https://n.example", "is neither an http\\(s\\) URL nor a feed path"),
        ("ftp://x.example/feed", "https://n.example", r"is neither an http\(s\) URL"),
    ],
)
def test_feed_url_mistakes(feed: str, base: str | None, message: str) -> None:
    with pytest.raises(DigestConfigError, match=message):
        feed_url(feed, base)


@pytest.mark.parametrize(
    "value",
    ["desk", "a@b.org, c@d.org", "José@example.org", "<a@", "Desk <desk@example.org"],
)
def test_addresses_are_single_and_ascii(value: str) -> None:
    with pytest.raises(DigestConfigError, match="is not one e-mail address"):
        addresses([value], "to")


def test_unsubscribe_uris() -> None:
    assert unsubscribe_uris(["Leave <leave@x.org>", "mailto:l@x.org?subject=stop"]) == (
        "mailto:leave@x.org",
        "mailto:l@x.org?subject=stop",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mail.example.org:25", ("mail.example.org", 25)), ("[::1]:2525", ("::1", 2525))],
)
def test_parse_host_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(text) == expected


DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_the_example_in_deploy_is_a_valid_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret")

    config = load_config(DEPLOY / "digests.example.toml")

    assert [(d.name, d.period) for d in config.digests] == [
        ("mexico-weekly", "weekly"),
        ("partners-daily", "daily"),
    ]
    assert config.digests[1].feeds == (
        "https://news.example.org/feeds/all.json",
        "https://partner.example.org/news.rss",
    )


def test_the_systemd_service_runs_a_command_we_accept() -> None:
    unit = (DEPLOY / "systemd" / "feeds-digest.service").read_text(encoding="utf-8")
    [command] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    program, *argv = command.removeprefix("ExecStart=").split()

    args = build_parser().parse_args(argv)

    assert program.endswith("/.venv/bin/feeds")
    assert (args.command, args.config) == ("digest", Path("/etc/feeds/digests.toml"))
