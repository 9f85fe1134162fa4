"""Slow clients on loopback, for ``tests/test_slow_clients.py`` and
``bench/bench_slow_clients.py``: connections that trickle their request headers one line
at a time, or a POST body one byte at a time, and never finish; and probes that time
normal requests meanwhile.

One thread drives every slow connection with non-blocking sockets, so a few hundred
cost the client next to nothing.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

from liveserver import HOST


class SlowClients:
    """``with SlowClients(port, headers=400, bodies=100, every=1.0) as slow: …``"""

    def __init__(self, port: int, headers: int, bodies: int, every: float) -> None:
        self.port = port
        self.counts = (headers, bodies)
        self.every = every
        self.sockets: list[tuple[socket.socket, bool]] = []  # (socket, sends a body)
        self.dropped = 0  # connections the server closed or refused
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, name="slow-clients", daemon=True)

    def __enter__(self) -> SlowClients:
        headers, bodies = self.counts
        for number in range(headers + bodies):
            body = number >= headers
            sock = socket.create_connection((HOST, self.port), timeout=5)
            sock.sendall(_BODY_START if body else _HEADERS_START)
            sock.setblocking(False)
            self.sockets.append((sock, body))
        self._thread.start()
        return self

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(self.every):
            line += 1
            for sock, body in self.sockets:
                if sock.fileno() < 0:
                    continue
                try:
                    sock.send(b"x" if body else f"X-Trickle-{line}: {line}\r\n".encode())
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self.dropped += 1
                    sock.close()

    def open_count(self) -> int:
        """Slow connections the server still holds open (not closed on us)."""
        count = 0
        for sock, _ in self.sockets:
            if sock.fileno() < 0:
                continue
            try:
                closed = sock.recv(1, socket.MSG_PEEK) == b""
            except BlockingIOError:
                closed = False  # nothing to read: still open and waiting
            except OSError:
                closed = True
            count += not closed
        return count

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for sock, _ in self.sockets:
            sock.close()


_HEADERS_START = b"GET /healthz HTTP/1.1\r\nHost: slow.example\r\n"
_BODY_START = (
    b"POST /healthz HTTP/1.1\r\nHost: slow.example\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
)


@dataclass
class Probes:
    """Normal requests' latencies (seconds) and failures."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("inf")


def probe(port: int, path: str, count: int, every: float, timeout: float = 5) -> Probes:
    """``count`` requests, one every ``every`` seconds, each on a new connection."""
    probes = Probes()
    for _ in range(count):
        started = time.monotonic()
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                probes.failures.append(f"{path} answered {response.status}")
            else:
                probes.latencies.append(time.monotonic() - started)
        except OSError as error:
            probes.failures.append(f"{path}: {error!r}")
        finally:
            connection.close()
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    return probes
