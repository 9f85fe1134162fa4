"""gunicorn settings for one app instance behind nginx (or any HTTP cache).

    FEEDS_ARCHIVE=/srv/feeds/archive FEEDS_TRUSTED_PROXIES=1 \\
        gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'

The same choices as ``feeds serve`` (``webapp/server.py``), for operators who run
gunicorn themselves (systemd, containers). Command-line options win over this file, so
``-b 0.0.0.0:8001`` or ``-w 3`` adjust one instance. From the environment:

- ``GUNICORN_BIND``: address to listen on (default ``127.0.0.1:8000``);
- ``WEB_CONCURRENCY``: worker processes (default two per core, gunicorn's usual advice;
  lower it when several instances share a host).

The app's own settings are the ``FEEDS_*`` variables (README.md, "Settings").
"""

from __future__ import annotations

import gc
import os
from typing import Any

from webapp.server import collect_in_worker, share_with_workers

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
# Threads let one worker overlap slow clients; the work itself is CPU-bound and short.
worker_class = "gthread"
threads = 4
# The archive is parsed once in the master; the forked workers share that copy.
preload_app = True
# gunicorn reads this file before it loads the app: no garbage collection during the load
# (it would only scan the new objects again and again); when_ready freezes them.
gc.disable()

timeout = 30  # a worker silent this long is killed and replaced
graceful_timeout = 10  # on SIGTERM/SIGHUP, in-flight requests get this long to finish
# nginx keeps idle upstream connections for 60 s (``keepalive_timeout`` in
# deploy/nginx/feeds.conf); the app must keep them longer, or nginx may reuse a
# connection the app is closing.
keepalive = 75

# gunicorn 27's control socket has one default path per user ($HOME/.gunicorn/gunicorn.ctl),
# which several instances on one host would fight over; manage them with signals instead.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = "info"
# Client address as nginx saw it, then the usual fields, then the time taken (µs).
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'


def when_ready(server: Any) -> None:
    """Before the workers fork: freeze the preloaded objects and let the collector run
    again (it was disabled above, before the app loaded), as ``feeds serve`` does."""
    share_with_workers()


#: Every worker collects garbage, even after a reload (SIGHUP) that read this file again
#: and so turned the master's collector off.
post_fork = collect_in_worker
