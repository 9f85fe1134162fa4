"""One SMTP connection for many messages, each to one recipient, with the server's
answer at ``RCPT`` told apart: accepted, refused for good (5xx) or for now (4xx).

``feeds.digest.send`` sends one message to all-or-none of several recipients per
connection; a send run of thousands of one-recipient messages needs the connection
kept open and the refusals classified, so this is its own small session.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from types import TracebackType

from feeds.digest.send import DATA_REPLY_TIMEOUT, SmtpSettings, open_session, send_data
from feeds.errors import DigestSendError


class SmtpUnavailable(DigestSendError):
    """The server could not be reached or refused the sender: nothing was sent."""


class SmtpUncertain(DigestSendError):
    """The connection failed after the message began: it may have been delivered."""


@dataclass(frozen=True, slots=True)
class Refusal:
    code: int
    text: str
    #: ``"RCPT"``: the address was refused; ``"DATA"``: the message was.
    stage: str = "RCPT"

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class SmtpSession:
    """``with SmtpSession(settings) as smtp: smtp.deliver(sender, to, data)``.

    ``patience``: seconds to wait for the reply to a message's final dot; a send run waits
    RFC 5321's 10 minutes, a web page that sends one notice cannot."""

    def __init__(self, settings: SmtpSettings, patience: float = DATA_REPLY_TIMEOUT) -> None:
        self.settings = settings
        self.patience = patience
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def deliver(self, sender: str, recipient: str, data: bytes) -> Refusal | None:
        """``None`` once the server accepted ``data`` for ``recipient``, else its refusal
        at RCPT. Raises SmtpUnavailable (not sent) or SmtpUncertain (perhaps sent)."""
        client = self._connected()
        try:
            code, reply = client.mail(sender)
            if code != 250:
                client.rset()
                raise SmtpUnavailable(f"{self.settings.address} refused the sender: {code}")
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                client.rset()
                return Refusal(code, _text(reply))
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SmtpUnavailable(f"{self.settings.address} failed: {exc}") from exc
        try:
            code, reply = send_data(client, data, self.settings, self.patience)
        except smtplib.SMTPDataError as exc:
            # A reply to DATA or to the final dot: the server said no, nothing is sent.
            client.rset()
            return Refusal(exc.smtp_code, _text(exc.smtp_error), "DATA")
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SmtpUncertain(f"{self.settings.address} failed during DATA: {exc}") from exc
        return None if code == 250 else Refusal(code, _text(reply), "DATA")

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            try:
                client = smtplib.SMTP(
                    self.settings.host, self.settings.port, timeout=self.settings.timeout
                )
                # A message goes out in several segments; without this, Nagle's algorithm
                # holds the last one until the server's delayed ACK (40 ms a message).
                if client.sock is not None:
                    client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                open_session(client, self.settings)
            except (OSError, smtplib.SMTPException, DigestSendError) as exc:
                raise SmtpUnavailable(
                    f"cannot use SMTP server {self.settings.address}: {exc}"
                ) from exc
            self._client = client
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
