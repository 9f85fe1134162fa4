"""The subscriber store, its schema and its links, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, inspect

from feeds.errors import BadLinkError, InvalidSignUpError
from feeds.subscriptions import ledger
from feeds.subscriptions.addresses import masked, normalise
from feeds.subscriptions.database import head_version, is_current, open_engine, upgrade
from feeds.subscriptions.limits import RateLimiter
from feeds.subscriptions.links import LinkClaim, LinkSigner
from feeds.subscriptions.model import CONFIRMED, PAUSED, PENDING, SUSPENDED, SignUp
from feeds.subscriptions.schema import metadata
from feeds.subscriptions.store import SubscriberStore

NOW = dt.datetime(2026, 12, 1, 7, 0, tzinfo=dt.UTC)
SIGN_UP = SignUp("reader@example.org", "daily", ("country/mexico", "topic/health"))


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = open_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> SubscriberStore:
    return SubscriberStore(engine)


def confirmed(store: SubscriberStore, request: SignUp = SIGN_UP, last_seq: int = 0):
    subscriber, _ = store.sign_up(request, NOW)
    nonce = store.confirm_nonce(subscriber.id)
    return store.confirm(LinkClaim(subscriber.id, subscriber.link_key, nonce), last_seq, NOW)


def test_upgrade_builds_the_tables_of_the_schema_and_is_idempotent(engine):
    assert is_current(engine)
    assert upgrade(engine) == head_version()
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    for name, table in metadata.tables.items():
        columns = {column["name"] for column in inspect(engine).get_columns(name)}
        assert columns == set(table.columns.keys()), name


def test_the_default_database_is_a_file_under_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    engine = open_engine("")
    upgrade(engine)
    assert (tmp_path / "feeds" / "subscribers.db").is_file()


def test_sign_up_is_pending_until_confirmed_and_the_link_works_once(store):
    subscriber, pending = store.sign_up(SIGN_UP, NOW)
    assert pending and subscriber.status == PENDING
    assert subscriber.selections == ("country/mexico", "topic/health")
    claim = LinkClaim(subscriber.id, subscriber.link_key, store.confirm_nonce(subscriber.id))
    done = store.confirm(claim, 42, NOW)
    assert done.status == CONFIRMED and done.last_seq == 42 and done.confirmed_at == NOW
    with pytest.raises(BadLinkError, match="already used"):
        store.confirm(claim, 43, NOW)


def test_a_known_address_is_not_changed_by_another_sign_up(store):
    first = confirmed(store)
    again, pending = store.sign_up(SignUp(SIGN_UP.address, "weekly", ("all",)), NOW)
    assert not pending
    assert again.selections == first.selections and again.period == "daily"


def test_unconfirmed_sign_ups_expire_after_seven_days(store):
    store.sign_up(SIGN_UP, NOW)
    confirmed(store, SignUp("other@example.org", "weekly", ("all",)))
    assert store.expire_pending(NOW + dt.timedelta(days=6)) == 0
    assert store.expire_pending(NOW + dt.timedelta(days=7, seconds=1)) == 1
    assert [s.address for s in store.all()] == ["other@example.org"]


def test_manage_changes_pauses_and_deletes(store):
    subscriber = confirmed(store)
    store.change(subscriber.id, "weekly", ["all", "region/caribbean"])
    claim = LinkClaim(subscriber.id, subscriber.link_key)
    changed = store.get(claim)
    assert changed and changed.period == "weekly"
    assert changed.selections == ("all", "region/caribbean")
    store.set_paused(subscriber.id, True)
    assert store.get(claim).status == PAUSED
    store.set_paused(subscriber.id, False)
    assert store.get(claim).status == CONFIRMED
    assert store.get(LinkClaim(subscriber.id, "not-its-key")) is None
    assert store.delete(subscriber.id)
    assert store.get(claim) is None and not store.delete(subscriber.id)


def test_import_marks_addresses_imported_and_skips_known_ones(store):
    confirmed(store)
    added, skipped = store.import_confirmed(
        [SIGN_UP, SignUp("new@example.org", "weekly", ("all",))], 7, NOW
    )
    assert (added, skipped) == (1, 1)
    new = store.by_address("new@example.org")
    assert new.status == CONFIRMED and new.imported_on == NOW.date() and new.last_seq == 7


def test_rate_limits_per_client_and_per_address(engine):
    limiter = RateLimiter(engine, "secret")
    assert all(limiter.allow_client("192.0.2.1", NOW) for _ in range(10))
    assert not limiter.allow_client("192.0.2.1", NOW)
    assert limiter.allow_client("192.0.2.1", NOW + dt.timedelta(hours=1, seconds=1))
    assert limiter.allow_message("reader@example.org", NOW)
    assert not limiter.allow_message("reader@example.org", NOW + dt.timedelta(minutes=14))
    assert limiter.allow_message("reader@example.org", NOW + dt.timedelta(minutes=16))
    assert limiter.allow_message("someone@example.org", NOW)


def test_appearances_are_numbered_once(engine):
    assert ledger.record_appearances(engine, ["a", "b"], NOW) == 2
    assert ledger.record_appearances(engine, ["b", "c", "a"], NOW) == 3
    # A catalog without "c" (older than the one that numbered it) does not reach past it.
    assert ledger.record_appearances(engine, ["a", "b"], NOW) == 2
    assert ledger.appeared(engine, 1, 3) == {"b": 2, "c": 3}


def test_a_claim_is_taken_once_and_a_release_gives_it_back(store, engine):
    subscriber = confirmed(store)
    (pending,) = ledger.claim(engine, [(subscriber, "<m1@example.org>")], 5, NOW)
    assert ledger.claim(engine, [(subscriber, "<m2@example.org>")], 5, NOW) == []
    assert [p.message_id for p in ledger.unsent(engine)] == ["<m1@example.org>"]
    ledger.release(engine, pending)
    assert ledger.unsent(engine) == []
    (again,) = ledger.claim(engine, [(subscriber, "<m3@example.org>")], 5, NOW)
    ledger.mark_sent(engine, again)
    assert ledger.unsent(engine) == [] and ledger.waiting(engine, 5) == []


def test_three_permanent_refusals_suspend_the_address(store, engine):
    subscriber = confirmed(store)
    for attempt in range(3):
        current = store.by_address(subscriber.address)
        (pending,) = ledger.claim(engine, [(current, f"<m{attempt}@x>")], 9, NOW)
        suspended = ledger.release(engine, pending, bounced=True)
    assert suspended and store.by_address(subscriber.address).status == SUSPENDED


def test_signed_links_refuse_tampering_and_other_purposes():
    signer = LinkSigner("secret")
    token = signer.make("manage", LinkClaim(3, "key"))
    assert signer.read("manage", token) == LinkClaim(3, "key")
    for bad in (token[:-2] + "xx", token.replace(".", "!", 1), "nonsense"):
        with pytest.raises(BadLinkError, match="not one we sent"):
            signer.read("manage", bad)
    with pytest.raises(BadLinkError):
        signer.read("unsubscribe", token)
    with pytest.raises(BadLinkError):
        LinkSigner("other secret").read("manage", token)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" Reader@Example.ORG ", "reader@example.org"),
        ("a.b+c@news.example.org", "a.b+c@news.example.org"),
    ],
)
def test_addresses_are_normalised(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text", ["", "reader", "reader@", "@example.org", "a b@example.org",
                                  "reader@example", "x" * 65 + "@example.org"])  # fmt: skip
def test_bad_addresses_are_refused(text):
    with pytest.raises(InvalidSignUpError):
        normalise(text)


def test_masked_addresses_hide_the_local_part():
    assert masked("reader@example.org") == "r…@example.org"


def test_a_suspended_address_that_signs_up_again_must_confirm_again(store, engine):
    subscriber = confirmed(store)
    for attempt in range(3):
        current = store.by_address(subscriber.address)
        ledger.release(
            engine, *ledger.claim(engine, [(current, f"<m{attempt}@x>")], 9, NOW), bounced=True
        )
    again, pending = store.sign_up(SIGN_UP, NOW + dt.timedelta(days=1))
    assert pending and again.status == PENDING and again.bounces == 0
    claim = LinkClaim(again.id, again.link_key, store.confirm_nonce(again.id))
    assert store.confirm(claim, 9, NOW).status == CONFIRMED


def test_parallel_requests_pass_a_rate_limit_no_more_often_than_one_at_a_time(engine):
    limiter = RateLimiter(engine, "test secret")
    start = threading.Barrier(8)

    def ask(_number: int) -> bool:
        start.wait(timeout=10)
        return limiter.allow_message("victim@example.org", NOW)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))

    assert answers.count(True) == 1  # one confirmation per 15 minutes, however many ask
