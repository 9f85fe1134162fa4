"""``feeds subscribers``: the operator's side of e-mail subscriptions. Thin.

Every subcommand first brings the database's schema up to date.
Exit status: 0 done; 1 the SMTP server failed (what is left goes next run); 2 a usage
or configuration error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dateutil import tz
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from feeds.catalog import Catalog, CatalogLoader
from feeds.errors import InvalidSignUpError, SubscriptionConfigError
from feeds.subscriptions import ledger
from feeds.subscriptions.database import open_engine, upgrade
from feeds.subscriptions.settings import MailSettings
from feeds.subscriptions.signup import sign_up_request
from feeds.subscriptions.store import SubscriberStore

EXPORT_FIELDS = ("address", "status", "period", "selections", "created_at", "confirmed_at",
                 "imported_on", "bounces", "last_sent_at")  # fmt: skip


def register(commands: Any) -> None:
    """Add ``subscribers`` to the ``feeds`` command's subcommands."""
    parser = commands.add_parser(
        "subscribers",
        help="e-mail subscribers: send due digests, list, export, import, remove",
        description="Manage the e-mail subscribers of FEEDS_DATABASE_URL; with no "
        "subcommand, bring its schema up to date and count the subscribers.",
    )
    parser.set_defaults(run=_closing(cmd_status))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    send = actions.add_parser("send", help="send every digest that is due, then exit")
    send.add_argument("--at", type=_instant, metavar="DATETIME",
                      help="run as if at this time (ISO 8601; default: now)")  # fmt: skip
    _archive_option(send)
    send.set_defaults(run=_closing(cmd_send))
    actions.add_parser("list", help="one line per subscriber").set_defaults(run=_closing(cmd_list))
    actions.add_parser("export", help="every subscriber as CSV").set_defaults(
        run=_closing(cmd_export)
    )
    importer = actions.add_parser("import", help="add confirmed subscribers from a CSV file "
                                  "(address[,period][,selections])")  # fmt: skip
    importer.add_argument("file", type=Path, metavar="FILE.csv")
    importer.add_argument("--period", default="weekly", choices=("daily", "weekly"),
                          help="for rows that give none (default: weekly)")  # fmt: skip
    importer.add_argument(
        "--selections", default="all", metavar="PATHS",
        help="space-separated, for rows that give none (default: all)",
    )  # fmt: skip
    _archive_option(importer)
    importer.set_defaults(run=_closing(cmd_import))
    remove = actions.add_parser("remove", help="delete a subscriber and all stored about it")
    remove.add_argument("address")
    remove.set_defaults(run=_closing(cmd_remove))


def _archive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive", type=Path, default=None, metavar="DIR",
        help="archive directory (default: $FEEDS_ARCHIVE, else ./archive)",
    )  # fmt: skip


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: '{text}'") from None
    return value if value.tzinfo else value.replace(tzinfo=tz.gettz())


_OPENED: list[Engine] = []


def _closing(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The command, closing the connections it opened when it ends."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        finally:
            while _OPENED:
                _OPENED.pop().dispose()

    return run


def _engine(settings: MailSettings) -> Engine:
    engine = open_engine(settings.database_url)
    _OPENED.append(engine)
    try:
        upgrade(engine)
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise SubscriptionConfigError(f"cannot open the database {where}: {exc.orig}") from None
    return engine


def _catalog(args: argparse.Namespace, settings: MailSettings, at: dt.datetime) -> Catalog:
    from feeds.cli import default_archive_dir

    zone = tz.gettz(settings.timezone)
    loader = CatalogLoader(
        args.archive or default_archive_dir(),
        tag_authority=settings.tag_authority,
        today=lambda: at.astimezone(zone).date(),
    )
    return loader.load()


def cmd_status(args: argparse.Namespace) -> int:
    settings = MailSettings.from_environ()
    engine = _engine(settings)
    counts: dict[str, int] = {}
    for subscriber in SubscriberStore(engine).all():
        counts[subscriber.status] = counts.get(subscriber.status, 0) + 1
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    print(f"schema up to date at {engine.url.render_as_string(hide_password=True)}")
    print(f"subscribers: {shown}")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from feeds.subscriptions.sender import run_send

    settings = MailSettings.from_environ()
    settings.require_sending()
    at = args.at or dt.datetime.now(dt.UTC)
    engine = _engine(settings)
    report = run_send(engine, _catalog(args, settings, at), settings, at)
    print(report.summary())
    return 1 if report.failure else 0


def cmd_list(args: argparse.Namespace) -> int:
    for s in SubscriberStore(_engine(MailSettings.from_environ())).all():
        since = s.confirmed_at.date().isoformat() if s.confirmed_at else "-"
        imported = f" imported {s.imported_on.isoformat()}" if s.imported_on else ""
        print(f"{s.address}  {s.status}  {s.period}  {' '.join(s.selections)}  "
              f"since {since}{imported}")  # fmt: skip
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    writer = csv.writer(sys.stdout)
    writer.writerow(EXPORT_FIELDS)
    for s in SubscriberStore(_engine(MailSettings.from_environ())).all():
        row = [s.address, s.status, s.period, " ".join(s.selections), s.created_at,
               s.confirmed_at, s.imported_on, s.bounces, s.last_sent_at]  # fmt: skip
        writer.writerow(["" if value is None else str(value) for value in row])
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    settings = MailSettings.from_environ()
    now = dt.datetime.now(dt.UTC)
    engine = _engine(settings)
    catalog = _catalog(args, settings, now)
    requests, problems = [], []
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SubscriptionConfigError(f"cannot read {args.file}: {exc.strerror}") from None
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or (number == 1 and row[0].strip().lower() in ("address", "email", "e-mail")):
            continue
        period = (row[1].strip() if len(row) > 1 else "") or args.period
        paths = (row[2] if len(row) > 2 and row[2].strip() else args.selections).split()
        try:
            requests.append(sign_up_request(catalog, row[0], period, paths))
        except InvalidSignUpError as exc:
            problems.append(f"{args.file}:{number}: error: {exc}")
    for problem in problems:
        print(problem, file=sys.stderr)
    # Entries already in the archive count as sent: an import starts with what is next.
    upto = ledger.record_appearances(engine, catalog.by_id, now)
    added, skipped = SubscriberStore(engine).import_confirmed(requests, upto, now)
    print(f"{added} imported, {skipped} already subscribed, {len(problems)} refused")
    return 1 if problems else 0


def cmd_remove(args: argparse.Namespace) -> int:
    store = SubscriberStore(_engine(MailSettings.from_environ()))
    address = args.address.strip().lower()
    if not store.remove(address):
        print(f"feeds: error: no subscriber {address}", file=sys.stderr)
        return 2
    print(f"removed {address} and everything stored about it")
    return 0
