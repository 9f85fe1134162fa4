"""``feeds subscribers`` list, export, import and remove, and the subscription settings."""

from __future__ import annotations

import csv
import io

import pytest

from feeds.cli import main
from feeds.errors import SubscriptionConfigError
from feeds.subscriptions.settings import MailSettings, parse_smtp_url
from webapp.settings import SettingsError, load_settings


@pytest.fixture
def env(monkeypatch, database_url, real_archive_dir):
    for name in ("FEEDS_SMTP_URL", "FEEDS_MAIL_FROM", "FEEDS_SECRET_KEY", "FEEDS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FEEDS_DATABASE_URL", database_url)
    monkeypatch.setenv("FEEDS_ARCHIVE", str(real_archive_dir))


def run(capsys, *args):
    code = main(["subscribers", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_list_export_and_remove(env, tmp_path, capsys):
    listing = tmp_path / "list.csv"
    listing.write_text(
        "email,period,selections\n"
        "One@Example.org,daily,country/mexico topic/health\n"
        "two@example.org,,\n"
        "not an address,weekly,all\n"
        "three@example.org,weekly,country/atlantis\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", str(listing))
    assert code == 1 and out.strip() == "2 imported, 0 already subscribed, 2 refused"
    assert f"{listing}:4: error:" in err and f"{listing}:5: error:" in err
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("one@example.org  confirmed  daily  country/mexico topic/health")
    assert "imported" in lines[0] and lines[1].startswith("two@example.org  confirmed  weekly  all")
    code, out, _ = run(capsys, "export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["address"] for row in rows] == ["one@example.org", "two@example.org"]
    assert rows[0]["imported_on"] and rows[0]["status"] == "confirmed"
    assert run(capsys, "import", str(listing))[1].startswith("0 imported, 2 already")
    code, out, _ = run(capsys, "remove", "ONE@example.org")
    assert code == 0 and "removed one@example.org" in out
    code, _, err = run(capsys, "remove", "one@example.org")
    assert code == 2 and "no subscriber" in err
    code, out, _ = run(
        capsys,
    )
    assert code == 0 and "subscribers: 1 confirmed" in out


@pytest.mark.parametrize(
    ("url", "host", "port", "starttls", "user"),
    [
        ("smtp://mail.example.org:2525", "mail.example.org", 2525, False, None),
        ("smtp+starttls://digests@mail.example.org:587", "mail.example.org", 587, True, "digests"),
        ("smtp+starttls://mail.example.org", "mail.example.org", 587, True, None),
        ("smtp://127.0.0.1", "127.0.0.1", 25, False, None),
    ],
)
def test_smtp_urls(url, host, port, starttls, user):
    smtp = parse_smtp_url(url, "secret")
    assert (smtp.host, smtp.port, smtp.starttls, smtp.user) == (host, port, starttls, user)
    assert smtp.password == "secret"


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://user:pw@mail.example.org", "smtp://", "smtp://h/x"]
)
def test_bad_smtp_urls_are_refused_with_the_reason(url):
    with pytest.raises(SubscriptionConfigError, match="FEEDS_SMTP_URL"):
        parse_smtp_url(url)
    with pytest.raises(SettingsError, match="FEEDS_SMTP_URL"):
        load_settings(environ={"FEEDS_SMTP_URL": url})


def test_a_short_secret_key_and_a_bad_sender_are_refused():
    with pytest.raises(SettingsError, match="at least 16"):
        load_settings(environ={"FEEDS_SECRET_KEY": "short"})
    with pytest.raises(SettingsError, match="FEEDS_MAIL_FROM"):
        load_settings(environ={"FEEDS_MAIL_FROM": "nobody"})


def test_mail_settings_from_the_environment():
    settings = MailSettings.from_environ(
        {"FEEDS_SMTP_URL": "smtp://mx:25", "FEEDS_SMTP_PASSWORD": "pw",
         "FEEDS_BASE_URL": "https://news.example.org/", "FEEDS_MAIL_FROM": "N <n@example.org>"}
    )  # fmt: skip
    assert settings.smtp.password == "pw" and settings.base_url == "https://news.example.org"
    assert "pw" not in repr(settings)
    with pytest.raises(SubscriptionConfigError, match="FEEDS_SECRET_KEY"):
        settings.require_sending()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://nobody@127.0.0.1:9/feeds", "cannot open the database"),
        ("sqlite:////proc/no-such-folder/subscribers.db", "cannot make the folder"),
        ("mysql://localhost/feeds", "must be sqlite:///PATH or postgresql://"),
    ],
)
def test_a_database_that_cannot_be_used_is_an_error_not_a_traceback(monkeypatch, capsys, url, says):
    monkeypatch.setenv("FEEDS_DATABASE_URL", url)
    code, _, err = run(capsys)
    assert code == 2 and says in err
