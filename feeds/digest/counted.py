"""E-mail sends, counted for the service's ``/metrics`` (issue 14).

``feeds digest`` runs apart from the server (cron, systemd). When its environment names
the server's ``PROMETHEUS_MULTIPROC_DIR``, each message the SMTP server accepts is
counted there, and ``/metrics`` shows it beside the server's own sends. Without that
variable nothing is counted (and prometheus_client is not even imported).
"""

from __future__ import annotations

import os

#: The one definition of the metric, shared with ``webapp/metrics.py``.
EMAILS_SENT = ("feeds_emails_sent", "E-mail messages accepted by the SMTP server", ("kind",))


def count_sent(kind: str) -> None:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import Counter

    Counter(*EMAILS_SENT, registry=None).labels(kind).inc()
