"""Sign-up, confirmation, the manage page and one-click unsubscribe, through the app with
a real SMTP server on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import pytest
from loopback import RecordingHandler, smtp_server

from feeds.subscriptions.model import CONFIRMED, PAUSED, PENDING

SECRET = "a test secret of some length"
BASE = "http://localhost"
T0 = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
ADDRESS = "reader@example.org"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(make_app, database_url, handler, clock):
    with smtp_server(handler) as port:
        smtp = f"smtp://127.0.0.1:{port}"
        app = make_app(DATABASE_URL=database_url, SECRET_KEY=SECRET, BASE_URL=BASE,
                       SMTP_URL=smtp, MAIL_FROM="News <news@example.org>")  # fmt: skip
        app.extensions["feeds_subscriptions"].clock = clock
        yield app
        app.extensions["feeds_subscriptions"].close()


@pytest.fixture
def closing():
    """Apps made in a test, whose connections are closed after it."""
    made = []
    yield made.append
    for app in made:
        app.extensions["feeds_subscriptions"].close()


@pytest.fixture
def store(app):
    return app.extensions["feeds_subscriptions"].store


def sign_up(client, address=ADDRESS, feeds=("country/mexico",), **extra):
    form = {"email": address, "period": "daily", "feed": list(feeds), **extra}
    return client.post("/subscribe", data=form)


def link(handler, kind, index=-1):
    text = handler.messages[index].get_content()
    found = re.search(rf"{BASE}(/subscribe/{kind}/\S+)", text)
    assert found, text
    return found[1]


def confirm(client, handler):
    path = link(handler, "confirm")
    assert client.post(path).status_code == 200
    return path


def manage_path(client, handler, clock):
    """Sign up again once confirmed: the message then holds the manage link."""
    clock.advance(minutes=16)
    sign_up(client)
    return link(handler, "manage")


def test_the_full_form_offers_every_feed_with_the_asked_one_checked(client):
    page = client.get("/subscribe?feed=country/mexico").get_data(as_text=True)
    assert re.search(r'value="country/mexico" checked', page)
    assert 'value="all"' in page and 'value="topic/' in page and 'value="region/' in page
    assert 'name="website"' in page  # the honeypot
    assert client.get("/subscribe").headers["Cache-Control"] == "no-store"


def test_double_opt_in_a_get_never_confirms(client, handler, store):
    answer = sign_up(client)
    assert answer.status_code == 200 and "a message is on its way" in answer.get_data(as_text=True)
    (message,) = handler.messages
    assert message["To"] == ADDRESS and "confirm" in message["Subject"]
    path = link(handler, "confirm")
    for _ in range(3):  # a mail scanner opening the link
        page = client.get(path)
        assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert store.by_address(ADDRESS).status == PENDING
    assert client.post(path).status_code == 200
    assert store.by_address(ADDRESS).status == CONFIRMED
    replay = client.post(path)
    assert replay.status_code == 400 and "already used" in replay.get_data(as_text=True)
    assert client.get(path).status_code == 400


def test_confirmation_messages_are_counted_in_metrics(client, handler):
    def sent() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        found = re.search(r'^feeds_emails_sent_total\{kind="notice"\} (\S+)$', text, re.M)
        return float(found.group(1)) if found else 0.0

    before = sent()
    sign_up(client)
    assert len(handler.messages) == 1
    assert sent() == before + 1


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, handler, clock):
    first = sign_up(client).get_data(as_text=True)
    confirm(client, handler)
    clock.advance(minutes=16)
    again = sign_up(client).get_data(as_text=True)
    assert again == first
    assert "already subscribed" in handler.messages[-1]["Subject"]


def test_one_confirmation_message_per_address_per_fifteen_minutes(client, handler, clock):
    for _ in range(3):
        assert sign_up(client).status_code == 200
        clock.advance(minutes=4)
    assert len(handler.messages) == 1
    clock.advance(minutes=5)
    sign_up(client)
    assert len(handler.messages) == 2


def test_sign_ups_per_client_address_are_limited(client, handler, clock):
    for number in range(10):
        assert sign_up(client, f"reader{number}@example.org").status_code == 200
    refused = sign_up(client, "one.more@example.org")
    assert refused.status_code == 429 and "try again later" in refused.get_data(as_text=True)
    clock.advance(hours=1, seconds=1)
    assert sign_up(client, "one.more@example.org").status_code == 200


def test_the_honeypot_gets_the_same_answer_and_nothing_happens(client, handler, store):
    answer = sign_up(client, website="http://spam.example")
    assert answer.status_code == 200 and "a message is on its way" in answer.get_data(as_text=True)
    assert handler.messages == [] and store.by_address(ADDRESS) is None


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"email": "not an address", "period": "daily", "feed": "all"}, "not an e-mail address"),
        ({"email": ADDRESS, "period": "hourly", "feed": "all"}, "choose daily or weekly"),
        ({"email": ADDRESS, "period": "daily"}, "choose at least one feed"),
        ({"email": ADDRESS, "period": "daily", "feed": "country/atlantis"}, "no feed"),
    ],
)
def test_bad_sign_ups_say_what_to_fix(client, handler, form, says):
    answer = client.post("/subscribe", data=form)
    assert answer.status_code == 400 and says in answer.get_data(as_text=True)
    assert handler.messages == []


def test_forms_are_bounded(client):
    assert client.post("/subscribe", data={"email": "x" * 20_000}).status_code == 413
    from feeds.classify.countries import all_countries

    feeds = [f"country/{country.slug}" for country in all_countries()[:101]]
    many = client.post("/subscribe", data={"email": ADDRESS, "period": "daily", "feed": feeds})
    assert many.status_code == 400 and "at most 100" in many.get_data(as_text=True)


def test_tampered_and_expired_links_get_a_clear_page(client, handler, monkeypatch):
    sign_up(client)
    path = link(handler, "confirm")
    tampered = client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert tampered.status_code == 400
    assert "not one we sent" in tampered.get_data(as_text=True)
    assert "<h1>This link does not work</h1>" in tampered.get_data(as_text=True)
    later = time.time() + 8 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    expired = client.post(path)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def test_an_expired_sign_up_is_deleted_and_its_link_refused(client, handler, store, app):
    sign_up(client)
    path = link(handler, "confirm")
    assert store.expire_pending(T0 + dt.timedelta(days=7, minutes=1)) == 1
    assert client.post(path).status_code == 400


def test_the_manage_page_shows_what_is_stored_and_changes_it(client, handler, clock, store):
    sign_up(client)
    confirm(client, handler)
    path = manage_path(client, handler, clock)
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert ADDRESS in text and "What we store about you" in text and "country/mexico" in text
    csrf = re.search(r'name="csrf" value="([^"]+)"', text)[1]
    saved = client.post(path, data={"csrf": csrf, "action": "save", "period": "weekly",
                                    "feed": ["topic/health", "all"]})  # fmt: skip
    assert saved.status_code == 200
    subscriber = store.by_address(ADDRESS)
    assert subscriber.period == "weekly" and subscriber.selections == ("all", "topic/health")
    client.post(path, data={"csrf": csrf, "action": "pause"})
    assert store.by_address(ADDRESS).status == PAUSED
    client.post(path, data={"csrf": csrf, "action": "resume"})
    assert store.by_address(ADDRESS).status == CONFIRMED
    client.post(path, data={"csrf": csrf, "action": "unsubscribe"})
    assert store.by_address(ADDRESS) is None
    assert client.get(path).status_code == 410


def test_manage_posts_from_other_sites_are_refused(client, handler, clock, store):
    sign_up(client)
    confirm(client, handler)
    path = manage_path(client, handler, clock)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]
    pause = {"csrf": csrf, "action": "pause"}
    assert (
        client.post(path, data=pause, headers={"Origin": "https://evil.example"}).status_code == 403
    )
    assert (
        client.post(path, data=pause, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    )
    assert client.post(path, data={"action": "pause"}).status_code == 403
    fresh = type(client)(client.application)  # no cookie, as a forged form would have
    assert fresh.post(path, data=pause).status_code == 403
    assert store.by_address(ADDRESS).status == CONFIRMED


def test_one_click_unsubscribe(client, handler, store, app):
    sign_up(client)
    confirm(client, handler)
    subscriber = store.by_address(ADDRESS)
    from feeds.subscriptions.links import LinkClaim

    signer = app.extensions["feeds_subscriptions"].signer
    path = "/subscribe/unsubscribe/" + signer.make(
        "unsubscribe", LinkClaim(subscriber.id, subscriber.link_key)
    )
    page = client.get(path)
    assert page.status_code == 200 and "List-Unsubscribe" in page.get_data(as_text=True)
    assert store.by_address(ADDRESS) is not None  # a GET shows the button only
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and store.by_address(ADDRESS) is None
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 410


def test_selection_pages_and_the_home_page_carry_the_short_form(client):
    page = client.get("/country/mexico").get_data(as_text=True)
    assert 'action="http://localhost/subscribe"' in page
    assert '<input type="hidden" name="feed" value="country/mexico">' in page


def test_partners_iframe_page(client):
    answer = client.get("/embed/subscribe?feed=country/mexico")
    assert answer.status_code == 200
    assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
    page = answer.get_data(as_text=True)
    assert '<input type="hidden" name="feed" value="country/mexico">' in page
    assert client.get("/embed/subscribe?feed=country/atlantis").status_code == 400
    posted = sign_up(client, embed="1")
    assert "<h1>" not in posted.get_data(as_text=True)  # the compact page, for the iframe


def test_without_a_secret_key_sign_up_is_off(make_app, database_url, closing):
    app = make_app(DATABASE_URL=database_url)
    closing(app)
    client = app.test_client()
    assert client.get("/subscribe").status_code == 503
    assert sign_up(client).status_code == 503
    assert 'name="email"' not in client.get("/country/mexico").get_data(as_text=True)


def test_addresses_never_appear_whole_in_logs(make_app, database_url, caplog, closing):
    app = make_app(DATABASE_URL=database_url, SECRET_KEY=SECRET, BASE_URL=BASE,
                   SMTP_URL="smtp://127.0.0.1:9", MAIL_FROM="news@example.org")  # fmt: skip
    closing(app)
    with caplog.at_level(logging.DEBUG):
        assert sign_up(app.test_client()).status_code == 200
    assert "r…@example.org" in caplog.text and ADDRESS not in caplog.text


def test_the_home_page_offers_all_news_by_e_mail(client):
    page = client.get("/").get_data(as_text=True)
    assert '<input type="hidden" name="feed" value="all">' in page
