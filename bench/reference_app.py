"""The production app plus one route that answers a feed's bytes from memory: the yardstick.

``/bench/reference`` returns the body of ``REFERENCE_PATH`` (built once at start-up through
the app itself) with its content type and nothing else: what serving a file from memory
costs in this app, this server and these workers. It exists only here, never in
``webapp/``. Run it under gunicorn with the production options of ``feeds serve``:

    .venv/bin/python bench/reference_app.py --port 8100 --workers 2 --archive DIR \
        --base-url http://127.0.0.1:8100
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask, Response

REFERENCE_ROUTE = "/bench/reference"
#: The feed the benchmark requests again and again, and whose bytes the reference returns.
REFERENCE_PATH = "/feeds/all.atom"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """``webapp.create_app`` with the reference route added."""
    from webapp import create_app as create_feeds_app

    app = create_feeds_app(config)
    reference: dict[str, Any] = {}

    @app.get(REFERENCE_ROUTE)
    def reference_route() -> Response:
        return Response(reference["body"], content_type=reference["content_type"])

    # Without starting the store's reload thread here, in the master before the fork.
    store = app.extensions["feeds"].store
    reload_seconds, store.reload_seconds = store.reload_seconds, 0
    built = app.test_client().get(REFERENCE_PATH)
    store.reload_seconds = reload_seconds
    if built.status_code != 200:
        raise RuntimeError(f"{REFERENCE_PATH} answered {built.status_code}")
    reference.update(body=built.get_data(), content_type=built.content_type)
    return app


def main(argv: list[str] | None = None) -> int:
    from webapp.server import run

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args(argv)
    os.environ["FEEDS_ARCHIVE"] = str(args.archive)
    os.environ["FEEDS_BASE_URL"] = args.base_url
    run(create_app(), args.host, args.port, args.workers)  # as `feeds serve` does
    return 0


if __name__ == "__main__":
    sys.exit(main())
