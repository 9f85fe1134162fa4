"""``feeds digest``: e-mail what is new in feeds. Thin: checks options, calls :mod:`run`.

Exit status: 0 sent, or nothing new; 1 a feed, the SMTP server or the state file failed
(nothing recorded); 2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

from feeds.archive.dates import parse_day
from feeds.digest.config import (
    addresses,
    checked_timeout,
    feed_url,
    load_config,
    smtp_settings,
    unsubscribe_uris,
)
from feeds.digest.fetch import DEFAULT_TIMEOUT, fetch_feed
from feeds.digest.model import PERIODS, DigestSpec
from feeds.digest.run import Deliver, file_delivery, run_digest, smtp_delivery
from feeds.errors import DigestConfigError, DigestError

#: Options that describe one digest on the command line; ``--config`` takes none of them.
_SINGLE_DIGEST_OPTIONS = (
    "feeds",
    "to",
    "sender",
    "subject",
    "since",
    "period",
    "state",
    "smtp",
    "starttls",
    "user",
    "password_env",
    "out",
    "base_url",
    "name",
    "list_unsubscribe",
)
_OPTION_NAMES = {"feeds": "FEED", "sender": "--from"}
#: Each digest to run, how it is delivered, and whether it keeps to its schedule.
Runs = list[tuple[DigestSpec, Deliver, bool]]


def register(commands: Any) -> None:
    """Add ``digest`` to the ``feeds`` command's subcommands."""
    parser = commands.add_parser(
        "digest",
        help="e-mail the new items of feeds, each item once",
        description="E-mail a digest of what is new in feeds (ours or any RSS, Atom or "
        "JSON Feed). Items already sent, as the state file records, are never sent again.",
    )
    parser.add_argument(
        "feeds",
        nargs="*",
        metavar="FEED",
        help="feed URL, or a path of ours (country/mexico, all.json) under --base-url",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="send every digest a TOML file describes (for cron)",
    )
    _add_message_options(parser)
    _add_delivery_options(parser)
    parser.set_defaults(run=cmd_digest)


def _add_message_options(parser: Any) -> None:
    """Who gets the digest, what it covers, and where its state is kept."""
    parser.add_argument("--to", action="append", default=[], metavar="ADDR")
    parser.add_argument("--from", dest="sender", metavar="ADDR")
    parser.add_argument(
        "--subject", metavar="TEXT", help="default: the feeds' titles and the period"
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument(
        "--since", type=_iso_date, metavar="YYYY-MM-DD", help="items dated on or after this day"
    )
    when.add_argument(
        "--period", choices=tuple(PERIODS), help="items of the last day or week (default: weekly)"
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="what was sent (default: $XDG_STATE_HOME/feeds/digests.json, "
        "else ~/.local/state/feeds/digests.json)",
    )
    parser.add_argument(
        "--name",
        metavar="NAME",
        help="the digest's key in the state file (default: its feeds and recipients)",
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="where feed paths are (default: $FEEDS_BASE_URL)"
    )
    parser.add_argument(
        "--list-unsubscribe",
        action="append",
        default=[],
        metavar="URI",
        help="address or URL for the List-Unsubscribe header",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=f"for the whole fetch of each feed (default: {DEFAULT_TIMEOUT:g})",
    )


def _add_delivery_options(parser: Any) -> None:
    """How the message leaves: an SMTP server, or a file."""
    delivery = parser.add_mutually_exclusive_group()
    delivery.add_argument("--smtp", metavar="HOST:PORT")
    delivery.add_argument(
        "--out",
        type=Path,
        metavar="FILE.eml",
        help="write the message instead of sending it (counts as sent)",
    )
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--user", metavar="NAME")
    parser.add_argument(
        "--password-env", metavar="VAR", help="environment variable holding the SMTP password"
    )


def cmd_digest(args: argparse.Namespace) -> int:
    if args.config:
        runs, timeout = _runs_from_config(args)
    else:
        runs, timeout = [(*_spec_from_options(args), False)], args.timeout or DEFAULT_TIMEOUT
    failed = False
    for spec, deliver, scheduled in runs:
        try:
            outcome = run_digest(
                spec,
                deliver,
                now=dt.datetime.now().astimezone(),
                fetch=partial(fetch_feed, timeout=timeout),
                warn=_warn,
                scheduled=scheduled,
            )
        except Exception as exc:  # whatever it is, the next digest still runs
            print(f"feeds: error: {_failure(spec, exc, scheduled)}", file=sys.stderr)
            failed = True  # and on to the next digest: one bad feed must not stop the rest
        else:
            print(outcome)
    return 1 if failed else 0


def _failure(spec: DigestSpec, exc: Exception, named: bool) -> str:
    """What failed: a DigestError says it; anything else is a bug, said with its type. In
    ``--config`` mode the message names the digest (issue 14)."""
    text = str(exc) if isinstance(exc, DigestError) else f"{type(exc).__name__}: {exc}"
    return f"digest '{spec.name}': {text}" if named or not isinstance(exc, DigestError) else text


def _runs_from_config(args: argparse.Namespace) -> tuple[Runs, float]:
    given = [
        _OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
        for name in _SINGLE_DIGEST_OPTIONS
        if getattr(args, name) not in (None, False, [])
    ]
    if given:
        raise DigestConfigError(
            f"--config takes no digest options ({', '.join(given)}): the file describes "
            "every digest"
        )
    config = load_config(args.config)
    deliver = smtp_delivery(config.smtp)
    return [(spec, deliver, True) for spec in config.digests], args.timeout or config.timeout


def _spec_from_options(args: argparse.Namespace) -> tuple[DigestSpec, Deliver]:
    if not args.feeds:
        raise DigestConfigError("give at least one FEED, or --config FILE")
    if not args.to or not args.sender:
        raise DigestConfigError("give the recipients (--to ADDR) and the sender (--from ADDR)")
    if args.smtp is None and args.out is None:
        raise DigestConfigError(
            "give --smtp HOST:PORT to send, or --out FILE.eml to write the message"
        )
    if args.out is not None and (args.starttls or args.user or args.password_env):
        raise DigestConfigError("--starttls, --user and --password-env go with --smtp")
    base_url = args.base_url or os.environ.get("FEEDS_BASE_URL")
    spec = DigestSpec(
        name=args.name or f"{' + '.join(args.feeds)} to {', '.join(args.to)}",
        feeds=tuple(feed_url(feed, base_url) for feed in args.feeds),
        to=addresses(args.to, "--to"),
        sender=addresses([args.sender], "--from")[0],
        state=(args.state or default_state_path()).expanduser(),
        period=args.period or "weekly",
        since=args.since,
        subject=args.subject,
        list_unsubscribe=unsubscribe_uris(args.list_unsubscribe),
    )
    if args.out is not None:
        return spec, file_delivery(args.out)
    settings = smtp_settings(
        args.smtp, starttls=args.starttls, user=args.user, password_env=args.password_env
    )
    return spec, smtp_delivery(settings)


def default_state_path() -> Path:
    """``$XDG_STATE_HOME/feeds/digests.json``, else ``~/.local/state/feeds/digests.json``."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "feeds" / "digests.json"


def _iso_date(text: str) -> dt.date:
    day = parse_day(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: '{text}'")
    return day


def _seconds(text: str) -> float:
    try:
        return checked_timeout(float(text))
    except (ValueError, DigestConfigError):
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds, more than 0, at most 600, not '{text}'"
        ) from None


def _warn(message: str) -> None:
    print(f"feeds: warning: {message}", file=sys.stderr)
