"""Handing a message to an SMTP server: all recipients or none.

``smtplib.send_message`` delivers to the recipients a server accepts and reports the
others afterwards. A digest then could neither record the send (the refused never got
it) nor repeat it (the accepted would get it twice). So the envelope is sent by hand:
every ``RCPT`` must be accepted before ``DATA``, else ``RSET`` and nobody gets it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from feeds.errors import DigestSendError

DEFAULT_TIMEOUT = 30.0


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
    sender = parseaddr(str(message["From"]))[1]
    recipients = [address for _, address in getaddresses([str(message["To"])])]
    data = message.as_bytes(policy=policy.SMTP)
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except ConnectionRefusedError as exc:
        raise DigestSendError(
            f"cannot connect to SMTP server {smtp.address}: connection refused"
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(
            f"cannot connect to SMTP server {smtp.address}: {_describe(exc)}"
        ) from exc
    try:
        _open_session(client, smtp)
        _transaction(client, sender, recipients, data, smtp)
    except DigestSendError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(f"SMTP server {smtp.address} failed: {_describe(exc)}") from exc
    finally:
        _close(client)


def _open_session(client: smtplib.SMTP, smtp: SmtpSettings) -> None:
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
    code, reply = client.mail(sender)
    if code != 250:
        client.rset()
        raise DigestSendError(
            f"SMTP server {smtp.address} refused the sender {sender}: {code} {_text(reply)}"
        )
    refused = []
    for recipient in recipients:
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            refused.append(f"{recipient} ({code} {_text(reply)})")
    if refused:
        client.rset()
        raise DigestSendError(
            f"SMTP server {smtp.address} refused {', '.join(refused)}; "
            "the digest was sent to nobody"
        )
    code, reply = client.data(data)
    if code != 250:  # smtplib raises for most of these; this is a second guard
        raise DigestSendError(
            f"SMTP server {smtp.address} did not accept the message: {code} {_text(reply)}"
        )


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
