"""feeds: a newsroom's plain-text archive as Atom, RSS and JSON feeds.

The library is pure and typed: of the core, only :mod:`feeds.archive.files` touches files.
:mod:`feeds.digest` is an application on top of it and does its own I/O (HTTP, SMTP,
its state file) in modules named for it.
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
