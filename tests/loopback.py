"""Loopback servers for the digest tests: an HTTP server that answers what a test
scripts, and an aiosmtpd SMTP server that records what it accepts. (The app itself runs
under ``feeds serve`` with :mod:`liveserver`.)

Every server is stopped by the test that started it.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from liveserver import HOST, free_port

# --- A scripted HTTP server -------------------------------------------------------------


@dataclass
class Answer:
    body: bytes
    content_type: str = "application/xml"
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedServer:
    """``server.answers["/path"] = Answer(...)``; ``server.requests`` holds what came in."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                scripted.requests.append((self.path, dict(self.headers)))
                answer = scripted.answers.get(self.path, Answer(b"not found\n", "text/plain", 404))
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}{path}"

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# --- SMTP -------------------------------------------------------------------------------


class RecordingHandler:
    """Accepts every recipient except those in ``reject`` (550), and records messages."""

    def __init__(self, reject: frozenset[str] = frozenset()) -> None:
        self.reject = reject
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 accepted"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(content, policy=policy.default)  # type: ignore[misc]
            for _, _, content in self.envelopes
        ]


@contextlib.contextmanager
def smtp_server(handler: RecordingHandler, **options: Any) -> Iterator[int]:
    """An aiosmtpd server on a free loopback port; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
