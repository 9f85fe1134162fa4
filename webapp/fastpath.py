"""Answering a document already built below Flask's dispatch (issue 19, target 3).

Most of a repeated request's cost was Flask: the request context, routing, the view,
the response object. :class:`FastPath` sits in front of the Flask app as WSGI
middleware. When Flask answers a replayable document (:data:`webapp.documents.REPLAYABLE`),
it records the status line and headers exactly as they were sent, after every
``after_request`` hook, with the cached :class:`~webapp.caching.Answer`. A later request
for the same URL (same archive version, scheme, host, path and query) is answered from
that record: the preconditions are evaluated by the same function Flask's path uses, and
when that outcome (200 or 304, identity or gzip) has been sent before, its headers are
sent again byte for byte. Anything else falls through to Flask, which records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from webapp.caching import NOT_MODIFIED, accepts_gzip, precondition

if TYPE_CHECKING:
    from webapp.site import Site

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Set in the environ by :mod:`webapp.documents`: (answer, gzipped): the response being
#: sent is that answer's, and may be replayed.
REPLAY_MARK = "feeds.replay"

#: Set in the environ when an answer is replayed: the Flask endpoint that made it (for
#: :mod:`webapp.metrics`, which labels requests by endpoint).
ENDPOINT = "feeds.endpoint"

#: What a replayable answer depends on beside the archive version: the URL as asked,
#: host included (it is the base of every link unless FEEDS_BASE_URL is set).
_URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
              "PATH_INFO", "QUERY_STRING")  # fmt: skip


def request_key(environ: Environ, version: str) -> tuple[object, ...]:
    return ("replay", version, *map(environ.get, _URL_PARTS))


class FastPath:
    """WSGI middleware: replays recorded answers, passes everything else to ``app``."""

    def __init__(self, app: WSGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method == "GET" or method == "HEAD":
            replayed = self._replay(environ, start_response, method == "HEAD")
            if replayed is not None:
                return replayed
        return self._through(environ, start_response)

    def _replay(
        self, environ: Environ, start_response: StartResponse, head: bool
    ) -> list[bytes] | None:
        site = self.site
        version = site.store.current().version
        key = site.memo.peek(request_key(environ, version))
        if key is None:
            return None
        answer = site.cache.find(key, version)
        if answer is None:
            return None
        gzipped = accepts_gzip(environ)
        outcome = precondition(environ, answer.validators, gzipped)
        reply = answer.replies.get((outcome, gzipped))
        if reply is None:  # not sent before (or a 412): Flask answers, and records it
            return None
        status, headers = reply
        environ[ENDPOINT] = answer.endpoint
        start_response(status, list(headers))
        if head or outcome == NOT_MODIFIED:
            return []
        return [answer.document.gzipped if gzipped else answer.document.body]

    def _through(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        sent: list[tuple[str, list[tuple[str, str]]]] = []

        def recording(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            sent.append((status, headers))
            return start_response(status, headers, *exc_info)

        result = self.app(environ, recording)
        mark = environ.get(REPLAY_MARK)
        if mark is not None and len(sent) == 1:
            answer, gzipped = mark
            status, headers = sent[0]
            code = int(status[:3])
            if code in (200, NOT_MODIFIED):
                answer.replies[(code, gzipped)] = (status, list(headers))
        return result
