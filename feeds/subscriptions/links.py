"""Signed links: confirm, manage and unsubscribe, under ``FEEDS_SECRET_KEY``.

A link names a subscriber by id and by its random ``link_key``, so a link outlives
neither the subscription (unsubscribing deletes the row) nor a re-created one. A
confirmation link also carries the sign-up's nonce, cleared once used: it works once.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from feeds.errors import BadLinkError
from feeds.subscriptions.model import CONFIRMATION_DAYS

PURPOSES = ("confirm", "manage", "unsubscribe")
CONFIRM_MAX_AGE = CONFIRMATION_DAYS * 86400


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """What a valid link says; the store checks it still holds."""

    subscriber_id: int
    link_key: str
    nonce: str | None = None


class LinkSigner:
    def __init__(self, secret: str) -> None:
        self._serializers = {
            purpose: URLSafeTimedSerializer(secret, salt=f"feeds.subscriptions.{purpose}")
            for purpose in PURPOSES
        }

    def make(self, purpose: str, claim: LinkClaim) -> str:
        payload = [claim.subscriber_id, claim.link_key]
        if claim.nonce is not None:
            payload.append(claim.nonce)
        token: str = self._serializers[purpose].dumps(payload)
        return token

    def read(self, purpose: str, token: str) -> LinkClaim:
        """The claim of a genuine ``purpose`` link, else BadLinkError saying why not."""
        max_age = CONFIRM_MAX_AGE if purpose == "confirm" else None
        try:
            payload = self._serializers[purpose].loads(token, max_age=max_age)
        except SignatureExpired:
            raise BadLinkError(
                f"this confirmation link has expired: sign-ups wait {CONFIRMATION_DAYS} days "
                "for their confirmation; please sign up again"
            ) from None
        except BadSignature:
            raise BadLinkError(
                "this link is not one we sent, or it was cut short or altered; "
                "copy the whole link from the message"
            ) from None
        if (
            not isinstance(payload, list)
            or len(payload) not in (2, 3)
            or not isinstance(payload[0], int)
            or not all(isinstance(part, str) for part in payload[1:])
        ):
            raise BadLinkError("this link is not one we sent")
        return LinkClaim(payload[0], payload[1], payload[2] if len(payload) == 3 else None)
