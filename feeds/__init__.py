"""feeds: a newsroom's plain-text archive as Atom, RSS and JSON feeds.

The library is pure and typed; only :mod:`feeds.archive` touches files.
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
