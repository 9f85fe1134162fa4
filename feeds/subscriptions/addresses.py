"""E-mail addresses: what a form may give, and how one appears in logs (never whole)."""

from __future__ import annotations

import hashlib
import hmac
import re

from feeds.errors import InvalidSignUpError

#: RFC 5321 section 4.5.3.1: 64 octets of local part, 254 of path in practice.
MAX_ADDRESS = 254
MAX_LOCAL = 64
# A practical subset of RFC 5322's addr-spec: no quoted local parts, no comments, no IP
# literals, a dotted domain. What people type, and what every SMTP server accepts.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def normalise(text: str) -> str:
    """The address in lower case, or InvalidSignUpError saying what is wrong with it."""
    address = text.strip()
    if not address:
        raise InvalidSignUpError("give an e-mail address")
    if len(address) > MAX_ADDRESS:
        raise InvalidSignUpError(f"an e-mail address has at most {MAX_ADDRESS} characters")
    local, at, domain = address.rpartition("@")
    if not at or len(local) > MAX_LOCAL or not _LOCAL.fullmatch(local):
        raise InvalidSignUpError("that is not an e-mail address such as name@example.org")
    if not _DOMAIN.fullmatch(domain):
        raise InvalidSignUpError("that is not an e-mail address such as name@example.org")
    return f"{local}@{domain}".lower()


def masked(address: str) -> str:
    """``j…@example.org``: enough for an operator to tell cases apart, not the address."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


def keyed_hash(secret: str, kind: str, value: str) -> str:
    """A key for rate limits that names no address: HMAC-SHA256 under the secret key."""
    digest = hmac.new(secret.encode(), f"{kind}\0{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]
