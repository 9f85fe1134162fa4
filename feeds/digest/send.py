"""Handing a message to an SMTP server: all recipients or none.

``smtplib.send_message`` delivers to the recipients a server accepts and reports the
others afterwards. A digest then could neither record the send (the refused never got
it) nor repeat it (the accepted would get it twice). So the envelope is sent by hand:
every ``RCPT`` must be accepted before ``DATA``, else ``RSET`` and nobody gets it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from feeds.errors import DigestSendError

DEFAULT_TIMEOUT = 30.0
#: Seconds to wait for the reply after DATA's final dot (RFC 5321 section 4.5.3.2.6).
DATA_REPLY_TIMEOUT = 600.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def send_message(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Returns once the server has accepted ``message`` for every recipient, else raises
    DigestSendError, and then no recipient was given the message."""
    send_messages([message], smtp)


def send_messages(messages: Sequence[EmailMessage], smtp: SmtpSettings) -> None:
    """Each message to the recipients in its own ``To``, in one session.

    Every recipient is tried (``RCPT``, then ``RSET``) and every size checked against the
    server's ``SIZE`` (RFC 1870) before the first ``DATA``: a refusal or a message too
    large then reaches nobody. A :class:`MessageTooLarge` says the limit, so the caller
    can make a smaller message.
    """
    envelopes = [_envelope(message) for message in messages]
    client = _connect(smtp)
    try:
        open_session(client, smtp)
        limit = _size_limit(client)
        for _sender, _recipients, data in envelopes:
            if limit and len(data) > limit:
                raise MessageTooLarge(smtp.address, len(data), limit)
        _try_recipients(client, envelopes, smtp)
        for sender, recipients, data in envelopes:
            _transaction(client, sender, recipients, data, smtp)
    except DigestSendError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(f"SMTP server {smtp.address} failed: {_describe(exc)}") from exc
    finally:
        _close(client)


class MessageTooLarge(DigestSendError):
    """The server announced a ``SIZE`` smaller than the message (RFC 1870)."""

    def __init__(self, address: str, size: int, limit: int) -> None:
        super().__init__(
            f"SMTP server {address} takes messages of at most {limit} bytes; "
            f"the digest is {size} bytes"
        )
        self.limit = limit


def _envelope(message: EmailMessage) -> tuple[str, list[str], bytes]:
    sender = parseaddr(str(message["From"]))[1]
    recipients = [address for _, address in getaddresses([str(message["To"])])]
    return sender, recipients, message.as_bytes(policy=policy.SMTP)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    try:
        return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except ConnectionRefusedError as exc:
        raise DigestSendError(
            f"cannot connect to SMTP server {smtp.address}: connection refused"
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(
            f"cannot connect to SMTP server {smtp.address}: {_describe(exc)}"
        ) from exc


def _size_limit(client: smtplib.SMTP) -> int:
    """The server's ``SIZE`` in bytes, or 0 for none announced (or "0": no fixed limit)."""
    value = client.esmtp_features.get("size", "").strip() if client.does_esmtp else ""
    return int(value) if value.isdigit() else 0


def _try_recipients(
    client: smtplib.SMTP, envelopes: list[tuple[str, list[str], bytes]], smtp: SmtpSettings
) -> None:
    """Every recipient accepted, or nobody gets anything (then RSET)."""
    sender = envelopes[0][0]
    _mail(client, sender, 0, smtp)
    refused = []
    for recipient in dict.fromkeys(r for _, recipients, _ in envelopes for r in recipients):
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient} ({code} {_text(reply)})")
    client.rset()
    if refused:
        raise DigestSendError(
            f"SMTP server {smtp.address} refused {', '.join(refused)}; "
            "the digest was sent to nobody"
        )


def _mail(client: smtplib.SMTP, sender: str, size: int, smtp: SmtpSettings) -> None:
    options = [f"SIZE={size}"] if size and client.has_extn("size") else []
    code, reply = client.mail(sender, options)
    if code != 250:
        client.rset()
        raise DigestSendError(
            f"SMTP server {smtp.address} refused the sender {sender}: {code} {_text(reply)}"
        )


def open_session(client: smtplib.SMTP, smtp: SmtpSettings) -> None:
    """Greet, STARTTLS and log in as ``smtp`` says: for one message or many."""
    client.ehlo_or_helo_if_needed()
    if smtp.starttls:
        if not client.has_extn("starttls"):
            raise DigestSendError(f"SMTP server {smtp.address} does not offer STARTTLS")
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    if smtp.user:
        try:
            client.login(smtp.user, smtp.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DigestSendError(
                f"SMTP server {smtp.address} refused the login of '{smtp.user}': {_describe(exc)}"
            ) from exc


def _transaction(
    client: smtplib.SMTP, sender: str, recipients: list[str], data: bytes, smtp: SmtpSettings
) -> None:
    _mail(client, sender, len(data), smtp)
    for recipient in recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):  # accepted a moment ago: the server changed its mind
            client.rset()
            raise DigestSendError(
                f"SMTP server {smtp.address} refused {recipient} ({code} {_text(reply)})"
            )
    code, reply = send_data(client, data, smtp)
    if code != 250:  # smtplib raises for most of these; this is a second guard
        raise DigestSendError(
            f"SMTP server {smtp.address} did not accept the message: {code} {_text(reply)}"
        )


def send_data(
    client: smtplib.SMTP, data: bytes, smtp: SmtpSettings, patience: float = DATA_REPLY_TIMEOUT
) -> tuple[int, bytes]:
    """DATA, waiting ``patience`` seconds for the reply to the final dot: RFC 5321 section
    4.5.3.2.6 suggests 10 minutes, since a reply given up on too early is a message the
    server may well have taken, and would be sent twice."""
    if client.sock is not None:
        client.sock.settimeout(max(smtp.timeout, patience))
    try:
        return client.data(data)
    finally:
        if client.sock is not None:
            client.sock.settimeout(smtp.timeout)


def _close(client: smtplib.SMTP) -> None:
    """QUIT, ignoring what happens then: once DATA is accepted, the message is sent."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
