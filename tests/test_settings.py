"""FEEDS_* settings: defaults in one place, environment variables, validation (issue 4)."""

from __future__ import annotations

import pytest

from feeds.errors import ArchiveNotFoundError, FeedsError
from webapp import create_app
from webapp.settings import DEFAULTS, SettingsError, load_settings

#: Every setting the issue asks for, by the name the environment gives it.
REQUIRED = {
    "ARCHIVE", "SITE_TITLE", "BASE_URL", "TAG_AUTHORITY", "PAGE_SIZE", "MAX_PAGE_SIZE",
    "CACHE_MAX_AGE", "TIMEZONE", "TRUSTED_PROXIES", "RELOAD_SECONDS",
}  # fmt: skip


def test_every_setting_the_issue_names_has_a_default():
    assert set(DEFAULTS) >= REQUIRED
    assert DEFAULTS["PAGE_SIZE"] == 20
    assert DEFAULTS["MAX_PAGE_SIZE"] == 100
    assert DEFAULTS["RELOAD_SECONDS"] == 60


def test_defaults_without_environment():
    assert load_settings(environ={}) == {f"FEEDS_{name}": value for name, value in DEFAULTS.items()}


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("ARCHIVE", "/srv/archive", "/srv/archive"),
        ("SITE_TITLE", "Noticias — Centroamérica", "Noticias — Centroamérica"),
        ("BASE_URL", "https://news.example.org/press/", "https://news.example.org/press"),
        ("BASE_URL", "http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("TAG_AUTHORITY", "news.example.org", "news.example.org"),
        ("TAG_AUTHORITY", "desk@news.example.org", "desk@news.example.org"),
        ("PAGE_SIZE", "50", 50),
        ("MAX_PAGE_SIZE", "500", 500),
        ("CACHE_MAX_AGE", "0", 0),
        ("TIMEZONE", "America/Mexico_City", "America/Mexico_City"),
        ("LANGUAGE", "es", "es"),
        ("LANGUAGE", "es-MX", "es-MX"),
        ("TRUSTED_PROXIES", "2", 2),
        ("RELOAD_SECONDS", "0", 0),
        ("RESPONSE_CACHE_BYTES", "0", 0),
        ("WEBSUB_HUB", "https://hub.example.net/", "https://hub.example.net/"),
    ],
)
def test_each_variable_is_read_and_converted(name, raw, value):
    assert load_settings(environ={f"FEEDS_{name}": raw})[f"FEEDS_{name}"] == value


def test_every_default_is_read_from_its_variable():
    environ = {f"FEEDS_{name}": str(value) for name, value in DEFAULTS.items()}
    assert load_settings(environ=environ) == load_settings(environ={})


def test_code_overrides_win_over_the_environment():
    settings = load_settings(
        environ={"FEEDS_SITE_TITLE": "From env", "FEEDS_PAGE_SIZE": "30"},
        overrides={"FEEDS_SITE_TITLE": "From code"},
    )
    assert (settings["FEEDS_SITE_TITLE"], settings["FEEDS_PAGE_SIZE"]) == ("From code", 30)


def test_variables_without_the_prefix_are_ignored():
    assert load_settings(environ={"SITE_TITLE": "x", "FEEDS_site_title": "y"}) == load_settings(
        environ={}
    )


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("PAGE_SIZE", "twenty"),
        ("PAGE_SIZE", ""),
        ("PAGE_SIZE", "2.5"),
        ("PAGE_SIZE", "0"),
        ("PAGE_SIZE", "101"),  # above the default maximum
        ("MAX_PAGE_SIZE", "0"),
        ("MAX_PAGE_SIZE", "10"),  # below the default page size
        ("CACHE_MAX_AGE", "-1"),
        ("CACHE_MAX_AGE", "5m"),
        ("TRUSTED_PROXIES", "-1"),
        ("TRUSTED_PROXIES", "yes"),
        ("RELOAD_SECONDS", "-60"),
        ("RESPONSE_CACHE_BYTES", "-1"),
        ("TIMEZONE", "Mars/Olympus_Mons"),
        ("TIMEZONE", ""),
        ("TIMEZONE", "/etc/passwd"),
        ("TIMEZONE", "../../../etc/passwd"),
        ("TAG_AUTHORITY", "not a domain"),
        ("TAG_AUTHORITY", ""),
        ("TAG_AUTHORITY", "News.Example.org"),  # the W3C validator wants tag URIs lower case
        ("BASE_URL", "news.example.org"),
        ("BASE_URL", "ftp://news.example.org"),
        ("BASE_URL", "https://"),
        ("BASE_URL", "https://news.example.org/press room"),
        ("BASE_URL", "https://[::1"),
        ("BASE_URL", "https://news.example.org/?x=1"),
        ("BASE_URL", "https://news.example.org/#top"),
        ("WEBSUB_HUB", "hub.example.net"),
        ("LANGUAGE", ""),
        ("LANGUAGE", "english"),
        ("LANGUAGE", "e n"),
        ("SITE_TITLE", ""),
        ("SITE_TITLE", "   "),
        ("SETTLE_SECONDS", "inf"),  # every changed file held back for ever
        ("SETTLE_SECONDS", "nan"),  # settling silently off
        ("SETTLE_SECONDS", "1e999"),
        ("RESPONSE_CACHE_ENTRIES", "2048"),  # renamed: RESPONSE_CACHE_BYTES
    ],
)
def test_bad_values_raise_settings_error_naming_the_variable(name, raw):
    with pytest.raises(SettingsError) as raised:
        load_settings(environ={f"FEEDS_{name}": raw})
    assert f"FEEDS_{name}" in str(raised.value)
    assert isinstance(raised.value, FeedsError) and isinstance(raised.value, ValueError)


def test_page_size_and_maximum_are_checked_together():
    settings = load_settings(environ={"FEEDS_PAGE_SIZE": "150", "FEEDS_MAX_PAGE_SIZE": "200"})
    assert (settings["FEEDS_PAGE_SIZE"], settings["FEEDS_MAX_PAGE_SIZE"]) == (150, 200)


def test_create_app_reads_the_environment(monkeypatch, archive_dir):
    monkeypatch.setenv("FEEDS_ARCHIVE", str(archive_dir))
    monkeypatch.setenv("FEEDS_SITE_TITLE", "Daily Migration News")
    monkeypatch.setenv("FEEDS_BASE_URL", "https://news.example.org")
    monkeypatch.setenv("FEEDS_PAGE_SIZE", "3")
    monkeypatch.setenv("FEEDS_RELOAD_SECONDS", "0")
    feed = create_app().test_client().get("/feeds/all.json").get_json(force=True)
    assert feed["title"] == "Daily Migration News — All news"
    assert feed["feed_url"] == "https://news.example.org/feeds/all.json"
    assert len(feed["items"]) == 3


def test_create_app_refuses_bad_settings(monkeypatch, archive_dir):
    monkeypatch.setenv("FEEDS_ARCHIVE", str(archive_dir))
    monkeypatch.setenv("FEEDS_CACHE_MAX_AGE", "forever")
    with pytest.raises(SettingsError, match="FEEDS_CACHE_MAX_AGE"):
        create_app()


def test_a_missing_archive_stops_the_app_from_starting(monkeypatch, tmp_path):
    monkeypatch.setenv("FEEDS_ARCHIVE", str(tmp_path / "nowhere"))
    with pytest.raises(ArchiveNotFoundError, match="nowhere"):
        create_app()
