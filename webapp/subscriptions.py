"""``/subscribe…`` and ``/embed/subscribe``: e-mail subscriptions readers manage (issue 16).

Double opt-in: a sign-up sends a confirmation link whose page has the button that
confirms (mail scanners open links; a GET never confirms). The answer to a sign-up is
the same whether or not the address is known. Links are signed (``FEEDS_SECRET_KEY``);
without a key, sign-up is off and these pages say so.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from sqlalchemy import Engine

from feeds.catalog import Catalog
from feeds.catalog.selection import ALL
from feeds.documents.directory import GROUP_NAMES, listings
from feeds.errors import BadLinkError, InvalidSignUpError
from feeds.subscriptions import ledger
from feeds.subscriptions.addresses import masked
from feeds.subscriptions.compose import selection_for
from feeds.subscriptions.database import open_engine, upgrade
from feeds.subscriptions.limits import RateLimiter
from feeds.subscriptions.links import LinkClaim, LinkSigner
from feeds.subscriptions.message import already_subscribed_message, confirmation_message, notice
from feeds.subscriptions.model import CONFIRMATION_DAYS, PENDING, Subscriber
from feeds.subscriptions.settings import MailSettings
from feeds.subscriptions.signup import checked_paths, describe, sign_up_request
from feeds.subscriptions.smtp import SmtpSession, SmtpUncertain
from feeds.subscriptions.store import SubscriberStore
from webapp.pages import page_context
from webapp.site import catalog, urls

log = logging.getLogger(__name__)
bp = Blueprint("subscriptions", __name__)

#: A sign-up or manage form is a few hundred bytes; anything much larger is not one.
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_PARTS = 200
#: Filled in only by robots: the field is hidden from people.
HONEYPOT = "website"
CSRF_COOKIE = "feeds_csrf"
#: The iframe page may be framed anywhere and posts only to us.
EMBED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors *"
)
Clock = Callable[[], dt.datetime]


@dataclass
class Subscriptions:
    """What the views need, one per app: settings, signer, and an engine per process."""

    settings: MailSettings
    clock: Clock = lambda: dt.datetime.now(dt.UTC)
    _engines: dict[int, Engine] = field(default_factory=dict)
    _smtp: tuple[int, SmtpSession] | None = None
    _smtp_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def enabled(self) -> bool:
        return bool(self.settings.secret_key)

    @property
    def engine(self) -> Engine:
        # Connections must not cross a fork: each gunicorn worker opens its own.
        engine = self._engines.get(os.getpid())
        if engine is None:
            engine = self._engines[os.getpid()] = open_engine(self.settings.database_url)
        return engine

    def close(self) -> None:
        """Close this process's connections (tests; a worker's end closes them anyway)."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        if self._smtp is not None:
            self._smtp[1].close()
            self._smtp = None

    @property
    def store(self) -> SubscriberStore:
        return SubscriberStore(self.engine)

    @property
    def signer(self) -> LinkSigner:
        return LinkSigner(self.settings.secret_key)

    def send(self, to: str, message: bytes) -> None:
        """Hand a notice to the SMTP server over this process's connection; a failure is
        logged, never shown (the page must not tell whether the address is known)."""
        if self.settings.smtp is None or not self.settings.sender:
            log.warning("FEEDS_SMTP_URL or FEEDS_MAIL_FROM not set: no message to %s", masked(to))
            return
        with self._smtp_lock:
            if self._smtp is None or self._smtp[0] != os.getpid():
                smtp = self.settings.smtp  # a page waits no longer than its own timeout
                self._smtp = (os.getpid(), SmtpSession(smtp, patience=smtp.timeout))
            session = self._smtp[1]
            sender = parseaddr(self.settings.sender)[1]
            for attempt in (1, 2):  # the server may have closed an idle connection
                try:
                    refusal = session.deliver(sender, to, message)
                    break
                except SmtpUncertain as exc:  # perhaps sent: never a second copy
                    log.warning("message to %s perhaps not sent: %s", masked(to), exc)
                    return
                except OSError as exc:
                    session.close()
                    if attempt == 2:
                        log.warning("message to %s not sent: %s", masked(to), exc)
                        return
        if refusal is not None:
            log.info("message to %s refused: %s", masked(to), refusal.code)
        else:
            current_app.extensions["feeds_metrics"].email_sent("notice")  # /metrics (issue 14)


def init_app(app: Flask) -> None:
    """Attach the subscriptions; with a secret key, bring the schema up to date now
    (before gunicorn forks its workers)."""
    settings = MailSettings.from_environ(
        {name: str(value) for name, value in app.config.items() if name.startswith("FEEDS_")}
    )
    service = Subscriptions(settings)
    if service.enabled:
        engine = open_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
    app.extensions["feeds_subscriptions"] = service
    from webapp import subscription_manage  # noqa: F401  (its views are on this blueprint)

    app.register_blueprint(bp)


def service() -> Subscriptions:
    found: Subscriptions = current_app.extensions["feeds_subscriptions"]
    return found


@bp.before_request
def _bounded_and_enabled() -> Response | None:
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_parts = MAX_FORM_PARTS
    if not service().enabled:
        return page(
            "subscribe_message.html",
            503,
            title="E-mail subscriptions are off",
            lines=[
                "This server has no FEEDS_SECRET_KEY to sign links with, so it takes no "
                "sign-ups. The feeds work as always."
            ],
        )
    return None


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # links carry tokens
    return response


# --- sign-up --------------------------------------------------------------------------


@bp.get("/subscribe")
def subscribe_form() -> Response:
    current = catalog()
    chosen = _paths_or_none(current, request.args.getlist("feed")) or ("all",)
    return page(
        "subscribe.html", choices=choices(current, chosen), chosen=chosen, period="weekly", email=""
    )


@bp.post("/subscribe")
def subscribe() -> Response:
    """The same answer whether or not the address is known, and for the honeypot."""
    current, now, form = catalog(), service().clock(), request.form
    try:
        wanted = sign_up_request(
            current, form.get("email", "")[:300], form.get("period", ""), form.getlist("feed")
        )
    except InvalidSignUpError as exc:
        return _sign_up_answer(current, 400, error=str(exc))
    limiter = RateLimiter(service().engine, service().settings.secret_key)
    if not limiter.allow_client(request.remote_addr or "", now):
        error = "Too many sign-ups from your network in the last hour; please try again later."
        return _sign_up_answer(current, 429, error=error)
    if not form.get(HONEYPOT):
        subscriber, pending = service().store.sign_up(wanted, now)
        if limiter.allow_message(subscriber.address, now):
            service().send(subscriber.address, _first_message(current, subscriber, pending, now))
        else:
            log.info("no message to %s: one was sent recently", masked(subscriber.address))
    return _sign_up_answer(current, 200, sent=wanted.address)


def _sign_up_answer(current: Catalog, status: int, **values: Any) -> Response:
    """The full form again (with what was typed), or the iframe's compact page."""
    form = request.form
    chosen = _paths_or_none(current, form.getlist("feed")) or ("all",)
    embedded = form.get("embed") == "1"
    response = page(
        "subscribe_embed.html" if embedded else "subscribe.html",
        status,
        choices=[] if "sent" in values else choices(current, chosen),
        chosen=chosen,
        names=describe(current, chosen),
        period=form.get("period", "weekly"),
        email=form.get("email", "")[:300],
        **values,
    )
    if embedded:
        response.headers["Content-Security-Policy"] = EMBED_CSP
    return response


def _first_message(
    current: Catalog, subscriber: Subscriber, pending: bool, now: dt.datetime
) -> bytes:
    settings, signer, site_urls = service().settings, service().signer, urls()
    claim = LinkClaim(subscriber.id, subscriber.link_key)
    if pending:
        nonce = service().store.confirm_nonce(subscriber.id)
        link = site_urls.subscription(
            "confirm", signer.make("confirm", LinkClaim(subscriber.id, subscriber.link_key, nonce))
        )
        what = f"a {subscriber.period} e-mail of {describe(current, subscriber.selections)}"
        text = confirmation_message(settings.site_title, what, link)
    else:
        link = site_urls.subscription("manage", signer.make("manage", claim))
        text = already_subscribed_message(settings.site_title, link)
    return notice(text, sender=settings.sender, to=subscriber.address, now=now)


@bp.get("/embed/subscribe")
def embed_form() -> Response:
    """A sign-up form for partners' iframes: ``?feed=country/mexico``."""
    current = catalog()
    feeds = request.args.getlist("feed") or ["all"]
    chosen = _paths_or_none(current, feeds)
    if chosen is None:
        abort(
            400,
            description=f"feed must be all, country/<name>, topic/<slug> or "
            f"region/<slug>, not '{feeds[0][:80]}'",
        )
    response = page(
        "subscribe_embed.html",
        chosen=chosen,
        names=describe(current, chosen),
        period="weekly",
        email="",
    )
    response.headers["Content-Security-Policy"] = EMBED_CSP
    return response


# --- confirmation ---------------------------------------------------------------------


@bp.get("/subscribe/confirm/<token>")
def confirm_page(token: str) -> Response:
    """Only shows the button: mail scanners open links, and must not confirm."""
    claim, refusal = read_claim("confirm", token)
    subscriber = service().store.get(claim) if claim else None
    if claim is None or subscriber is None or subscriber.status != PENDING:
        return refusal or _used_link()
    return page(
        "subscribe_confirm.html",
        subscriber=subscriber,
        names=describe(catalog(), subscriber.selections),
    )


@bp.post("/subscribe/confirm/<token>")
def confirm(token: str) -> Response:
    claim, refusal = read_claim("confirm", token)
    if claim is None:
        return refusal or _used_link()
    now = service().clock()
    # Entries in the archive now count as sent: a subscription starts with what is next.
    upto = ledger.record_appearances(service().engine, catalog().by_id, now)
    try:
        subscriber = service().store.confirm(claim, upto, now)
    except BadLinkError as exc:
        return bad_link(str(exc))
    return page(
        "subscribe_message.html",
        title="Subscription confirmed",
        lines=[
            f"You will get a {subscriber.period} e-mail of "
            f"{describe(catalog(), subscriber.selections)} when there is news. Every message "
            "has a link to change or end the subscription."
        ],
        link=_manage_url(subscriber),
        link_text="Manage your subscription",
    )


def _used_link() -> Response:
    return bad_link(
        "this confirmation link was already used, or the sign-up expired "
        f"(unconfirmed sign-ups are deleted after {CONFIRMATION_DAYS} days)"
    )


# --- shared with the manage views (webapp/subscription_manage.py) ----------------------


def read_claim(purpose: str, token: str) -> tuple[LinkClaim | None, Response | None]:
    try:
        return service().signer.read(purpose, token[:400]), None
    except BadLinkError as exc:
        return None, bad_link(str(exc))


def bad_link(reason: str) -> Response:
    return page(
        "subscribe_message.html",
        400,
        title="This link does not work",
        lines=[reason[:1].upper() + reason[1:] + "."],
        link=urls().subscription(),
        link_text="Sign up again",
    )


def _manage_url(subscriber: Subscriber) -> str:
    claim = LinkClaim(subscriber.id, subscriber.link_key)
    return urls().subscription("manage", service().signer.make("manage", claim))


def _paths_or_none(current: Catalog, paths: Iterable[str]) -> tuple[str, ...] | None:
    try:
        return checked_paths(current, list(paths)[:200])
    except InvalidSignUpError:
        return None


def choices(current: Catalog, chosen: Iterable[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Groups of (path, name) a form offers: every non-empty feed, plus those chosen."""
    groups = {
        group: [(item.selection.path, item.selection.name) for item in items]
        for group, items in listings(current).items()
    }
    for path in chosen:
        selection = selection_for(current, path)
        if selection and (path, selection.name) not in groups[selection.kind]:
            groups[selection.kind].append((path, selection.name))
    return [(GROUP_NAMES[group], items) for group, items in groups.items() if items]


def check_csrf() -> None:
    """Cross-site POSTs to the manage page are refused: the request's origin must be ours,
    and the form must carry the token of our cookie (double submit)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, description="this form must be sent from our own page")
    origin = request.headers.get("Origin")
    ours = urlsplit(urls().base)
    if origin and origin != f"{ours.scheme}://{ours.netloc}":
        abort(403, description="this form must be sent from our own page")
    cookie, sent = request.cookies.get(CSRF_COOKIE, ""), request.form.get("csrf", "")
    if not cookie or not secrets.compare_digest(cookie, sent):
        abort(403, description="the form has expired; reload the page and try again")


def page(template: str, status: int = 200, **values: Any) -> Response:
    """A subscription page with the site's header, never cached."""
    html = render_template(
        template, selection=ALL, feed_params=(), **page_context(urls(), catalog()), **values
    )
    return Response(html, status=status, content_type="text/html; charset=utf-8")
