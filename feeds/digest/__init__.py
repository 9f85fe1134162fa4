"""E-mail digests of feeds (issue 6): new items from any RSS, Atom or JSON Feed, once each.

Pure modules: :mod:`~feeds.digest.model`, :mod:`~feeds.digest.compose`,
:mod:`~feeds.digest.message`, :mod:`~feeds.digest.parse`, :mod:`~feeds.digest.from_catalog`.
The I/O sits in small modules of its own, so the rest stays testable without a network:
:mod:`~feeds.digest.fetch` (HTTP), :mod:`~feeds.digest.send` (SMTP),
:mod:`~feeds.digest.state` (the state file), :mod:`~feeds.digest.config` (the TOML file)
and :mod:`~feeds.digest.run`, which puts them together in the one safe order: fetch,
compose, deliver, and only then record what was sent.
"""
