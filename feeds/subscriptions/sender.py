"""``feeds subscribers send``: every digest that is due, one message per subscriber.

The order of a run: take the run lock; number the entries not seen before; send again
what a crashed run left unsure; then, for each confirmed subscriber whose period has
passed, claim the digest, send it, and record the outcome (see :mod:`.ledger`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr

from dateutil import tz
from sqlalchemy import Engine, and_, update

from feeds.catalog import Catalog
from feeds.digest.compose import next_due
from feeds.digest.counted import count_sent
from feeds.digest.model import Window
from feeds.documents.feed import SiteInfo
from feeds.subscriptions import ledger
from feeds.subscriptions.addresses import masked
from feeds.subscriptions.compose import Composer
from feeds.subscriptions.limits import RateLimiter
from feeds.subscriptions.links import LinkClaim, LinkSigner
from feeds.subscriptions.message import digest_body, personal_copy, prepared_message
from feeds.subscriptions.model import Pending, Subscriber
from feeds.subscriptions.runlock import send_lock
from feeds.subscriptions.schema import subscribers
from feeds.subscriptions.settings import MailSettings
from feeds.subscriptions.smtp import SmtpSession, SmtpUnavailable, SmtpUncertain
from feeds.subscriptions.store import SubscriberStore
from feeds.urls import SiteUrls

log = logging.getLogger(__name__)
#: Digests claimed in one transaction: one disk flush for this many messages.
CLAIM_BATCH = 50


@dataclass
class RunReport:
    busy: bool = False
    sent: int = 0
    resent: int = 0
    refused: int = 0
    suspended: int = 0
    deferred: int = 0
    nothing_new: int = 0
    expired: int = 0
    #: Set when the SMTP server failed and the run stopped; what is left goes next run.
    failure: str = ""

    def summary(self) -> str:
        if self.busy:
            return "another send run is in progress; nothing done"
        parts = [f"{self.sent} sent"]
        for name in ("resent", "refused", "suspended", "deferred", "nothing_new", "expired"):
            if getattr(self, name):
                parts.append(f"{getattr(self, name)} {name.replace('_', ' ')}")
        return ", ".join(parts) + (f"; stopped: {self.failure}" if self.failure else "")


@dataclass
class Run:
    engine: Engine
    catalog: Catalog
    site: SiteInfo
    urls: SiteUrls
    signer: LinkSigner
    sender: str
    session: SmtpSession
    at: dt.datetime
    report: RunReport = field(default_factory=RunReport)
    _bodies: dict[tuple[tuple[str, ...], int, int, Window], bytes | None] = field(
        default_factory=dict
    )
    _composer: Composer | None = None

    def __call__(self) -> RunReport:
        with send_lock(self.engine) as held:
            if not held:
                self.report.busy = True
                return self.report
            self._housekeeping()
            upto = ledger.record_appearances(self.engine, self.catalog.by_id, self.at)
            pending = ledger.unsent(self.engine)
            due = [s for s in ledger.waiting(self.engine, upto) if self._is_due(s)]
            low = min([p.from_seq for p in pending] + [s.last_seq for s in due], default=upto)
            appeared = ledger.appeared(self.engine, low, upto)
            self._composer = Composer(self.catalog, appeared, self.site, self.urls)
            try:
                for claimed in pending:
                    self._resend(claimed)
                for start in range(0, len(due), CLAIM_BATCH):
                    self._send(due[start : start + CLAIM_BATCH], upto)
            except (SmtpUnavailable, SmtpUncertain) as exc:
                self.report.failure = str(exc)
                log.warning("send run stopped: %s", exc)
        return self.report

    def _housekeeping(self) -> None:
        self.report.expired = SubscriberStore(self.engine).expire_pending(self.at)
        RateLimiter(self.engine, "").prune(self.at)
        ledger.prune_log(self.engine, self.at)

    def _is_due(self, subscriber: Subscriber) -> bool:
        if subscriber.last_sent_at is None:
            return True
        zone = self.site.timezone
        return (
            next_due(self.at.astimezone(zone), subscriber.period, subscriber.last_sent_at) is None
        )

    def _body(
        self, subscriber: Subscriber, after: int, upto: int, since: dt.datetime | None
    ) -> bytes | None:
        """The prepared message (:func:`prepared_message`), or ``None`` when nothing is new;
        ``since`` is the last digest's time before this one."""
        window = self._window(subscriber, since)
        key = (subscriber.selections, after, upto, window)
        if key not in self._bodies:
            assert self._composer is not None
            sections = self._composer.sections(subscriber.selections, after, upto)
            body = digest_body(self.site.title, sections, window, self.urls.home())
            one_click = self.urls.base.startswith("https:")
            self._bodies[key] = (
                prepared_message(body, sender=self.sender, now=self.at, one_click=one_click)
                if sections
                else None
            )
        return self._bodies[key]

    def _window(self, subscriber: Subscriber, since: dt.datetime | None) -> Window:
        zone = self.site.timezone
        start = (since or subscriber.confirmed_at or self.at).astimezone(zone)
        return Window(start.date(), self.at.astimezone(zone).date(), subscriber.period)

    def _send(self, batch: list[Subscriber], upto: int) -> None:
        """Claim the batch's digests together, then send them one by one."""
        wanted, bodies = [], {}
        for subscriber in batch:
            body = self._body(subscriber, subscriber.last_seq, upto, subscriber.last_sent_at)
            if body is None:  # entries appeared, none in these selections: skip past them
                _skip(self.engine, subscriber, upto)
                self.report.nothing_new += 1
                continue
            bodies[subscriber.id] = body
            wanted.append((subscriber, f"<digest.{subscriber.id}.{upto}."
                           f"{secrets.token_hex(6)}@{self._domain()}>"))  # fmt: skip
        claimed = ledger.claim(self.engine, wanted, upto, self.at)  # without those others took
        for number, pending in enumerate(claimed):
            try:
                self._deliver(pending, bodies[pending.subscriber.id])
            except (SmtpUnavailable, SmtpUncertain):
                for unsent in claimed[number + 1 :]:  # surely not sent: give them back
                    ledger.release(self.engine, unsent)
                raise

    def _resend(self, claimed: Pending) -> None:
        body = self._body(
            claimed.subscriber, claimed.from_seq, claimed.to_seq, claimed.previous_sent_at
        )
        if body is None:
            ledger.mark_sent(self.engine, claimed)
            return
        self.report.resent += 1
        self._deliver(claimed, body, first_try=False)

    def _deliver(self, claimed: Pending, prepared: bytes, *, first_try: bool = True) -> None:
        """Send one claimed digest. A claim that is not delivered now is given back, unless
        an earlier run may have delivered it (``first_try`` false: a DATA whose reply was
        lost): then it stays claimed, to go again with its Message-ID, never as a new one."""
        subscriber = claimed.subscriber
        link = LinkClaim(subscriber.id, subscriber.link_key)
        data = personal_copy(
            prepared,
            to=subscriber.address,
            message_id=claimed.message_id,
            manage=self.urls.subscription("manage", self.signer.make("manage", link)),
            unsubscribe=self.urls.subscription(
                "unsubscribe", self.signer.make("unsubscribe", link)
            ),
        )
        try:
            refusal = self.session.deliver(parseaddr(self.sender)[1], subscriber.address, data)
        except SmtpUnavailable:
            if first_try:
                ledger.release(self.engine, claimed)
            raise
        if refusal is None:
            ledger.mark_sent(self.engine, claimed)
            count_sent("subscription")  # for the server's /metrics, as feeds digest does
            self.report.sent += 1
            return
        if refusal.permanent and refusal.stage == "RCPT":  # the address, not the message
            suspended = ledger.release(self.engine, claimed, bounced=True)
            self.report.refused += 1
            self.report.suspended += suspended
            log.info("%s refused (%s)%s", masked(subscriber.address), refusal.code,
                     "; suspended" if suspended else "")  # fmt: skip
        else:
            if first_try:
                ledger.release(self.engine, claimed)
            self.report.deferred += 1
            log.info("%s deferred (%s at %s)", masked(subscriber.address), refusal.code,
                     refusal.stage)  # fmt: skip

    def _domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"


def _skip(engine: Engine, subscriber: Subscriber, upto: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(subscribers)
            .where(
                and_(
                    subscribers.c.id == subscriber.id, subscribers.c.last_seq == subscriber.last_seq
                )
            )
            .values(last_seq=upto)
        )


def run_send(
    engine: Engine, catalog: Catalog, settings: MailSettings, at: dt.datetime
) -> RunReport:
    """One send run with the settings of ``feeds subscribers send`` (already checked)."""
    assert settings.smtp is not None
    zone = tz.gettz(settings.timezone) or dt.UTC
    site = SiteInfo(
        title=settings.site_title,
        author_name=settings.site_title,
        language="en",
        timezone=zone,
        tag_authority=settings.tag_authority,
    )
    with SmtpSession(settings.smtp) as session:
        run = Run(
            engine=engine,
            catalog=catalog,
            site=site,
            urls=SiteUrls(settings.base_url),
            signer=LinkSigner(settings.secret_key),
            sender=settings.sender,
            session=session,
            at=at,
        )
        return run()
