"""The manage page and one-click unsubscribe (RFC 8058), on the subscriptions blueprint.

Reached from the signed links in every digest. Unsubscribing deletes the subscriber and
everything stored with it: there is nothing left to keep.
"""

from __future__ import annotations

import secrets

from flask import Response, request

from feeds.errors import InvalidSignUpError
from feeds.subscriptions import ledger
from feeds.subscriptions.links import LinkClaim
from feeds.subscriptions.model import CONFIRMED, PAUSED, Subscriber
from feeds.subscriptions.signup import checked_paths, describe
from webapp.site import catalog, urls
from webapp.subscriptions import (
    CSRF_COOKIE,
    bp,
    check_csrf,
    choices,
    page,
    read_claim,
    service,
)

ACTIONS = ("save", "pause", "resume", "unsubscribe")


@bp.get("/subscribe/manage/<token>")
def manage_page(token: str) -> Response:
    subscriber, refusal = _subscriber("manage", token)
    if subscriber is None:
        return refusal
    return _manage(subscriber, token)


@bp.post("/subscribe/manage/<token>")
def manage(token: str) -> Response:
    subscriber, refusal = _subscriber("manage", token)
    if subscriber is None:
        return refusal
    check_csrf()
    action = request.form.get("action", "")
    store = service().store
    if action == "unsubscribe":
        return _unsubscribed(subscriber)
    if action in ("pause", "resume"):
        store.set_paused(subscriber.id, action == "pause")
        notice = "Paused: nothing is sent until you resume." if action == "pause" else "Resumed."
    elif action == "save":
        period = request.form.get("period", "")
        try:
            if period not in ("daily", "weekly"):
                raise InvalidSignUpError("choose daily or weekly")
            paths = checked_paths(catalog(), request.form.getlist("feed"))
        except InvalidSignUpError as exc:
            return _manage(subscriber, token, error=str(exc), status=400)
        store.change(subscriber.id, period, paths)
        notice = "Saved."
    else:
        return _manage(subscriber, token, error=f"choose one of: {', '.join(ACTIONS)}", status=400)
    current = store.get(LinkClaim(subscriber.id, subscriber.link_key))
    return _manage(current or subscriber, token, notice=notice)


def _manage(
    subscriber: Subscriber, token: str, *, notice: str = "", error: str = "", status: int = 200
) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(18)
    response = page(
        "subscribe_manage.html",
        status,
        subscriber=subscriber,
        names=describe(catalog(), subscriber.selections),
        choices=choices(catalog(), subscriber.selections),
        chosen=subscriber.selections,
        log=ledger.sent_log(service().engine, subscriber.id),
        action=urls().subscription("manage", token),
        csrf=csrf,
        notice=notice,
        error=error,
        paused=subscriber.status == PAUSED,
        confirmed=subscriber.status == CONFIRMED,
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/subscribe/manage/",
    )
    return response


@bp.get("/subscribe/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    """A GET shows the button; only the POST unsubscribes (RFC 8058 section 3.2)."""
    subscriber, refusal = _subscriber("unsubscribe", token)
    if subscriber is None:
        return refusal
    return page(
        "subscribe_unsubscribe.html",
        subscriber=subscriber,
        action=urls().subscription("unsubscribe", token),
    )


@bp.post("/subscribe/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    """``List-Unsubscribe=One-Click`` from a mail provider, or the page's button: at
    once, with no login and no cookie (so no CSRF token either; the link is the key)."""
    subscriber, refusal = _subscriber("unsubscribe", token)
    if subscriber is None:
        return refusal
    return _unsubscribed(subscriber)


def _unsubscribed(subscriber: Subscriber) -> Response:
    service().store.delete(subscriber.id)
    return page(
        "subscribe_message.html",
        title="Unsubscribed",
        lines=[
            f"{subscriber.address} gets no more e-mail from us, and everything we stored "
            "about it is deleted.",
            "You can sign up again at any time.",
        ],
        link=urls().subscription(),
        link_text="Sign up again",
    )


def _subscriber(purpose: str, token: str) -> tuple[Subscriber | None, Response]:
    claim, refusal = read_claim(purpose, token)
    if claim is None:
        assert refusal is not None
        return None, refusal
    subscriber = service().store.get(claim)
    if subscriber is None:
        gone = page(
            "subscribe_message.html",
            410,
            title="Not subscribed",
            lines=[
                "This link belongs to a subscription that no longer exists: it was cancelled "
                "and everything stored about it deleted. Nothing more will be sent."
            ],
            link=urls().subscription(),
            link_text="Sign up again",
        )
        return None, gone
    return subscriber, Response()
