"""gunicorn settings for one app instance behind nginx (or any HTTP cache).

    FEEDS_ARCHIVE=/srv/feeds/archive FEEDS_TRUSTED_PROXIES=1 \\
        gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'

The very options of ``feeds serve``: both read them from ``webapp.server.gunicorn_settings``
(gevent workers, preloaded app, keep-alive, access-log format, no trusted forwarded
headers), for operators who run gunicorn themselves (systemd, containers). Command-line
options win over this file, so ``-b 0.0.0.0:8001`` or ``-w 3`` adjust one instance. From
the environment:

- ``GUNICORN_BIND``: address to listen on (default ``127.0.0.1:8000``);
- ``WEB_CONCURRENCY``: worker processes (default two per core, gunicorn's usual advice;
  lower it when several instances share a host).

The app's own settings are the ``FEEDS_*`` variables (README.md, "Settings").
"""

from __future__ import annotations

import os

from webapp.server import gunicorn_settings, prepare_master

# gunicorn reads this file before it loads the app: gevent patches the standard library
# and the collector stops for the load (the ``when_ready`` hook freezes what it made).
prepare_master()

globals().update(
    gunicorn_settings(
        bind=os.environ.get("GUNICORN_BIND", "127.0.0.1:8000"),
        workers=int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))),
    )
)
