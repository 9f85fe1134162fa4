"""The ``feeds`` command: check, export and publish the archive. Thin: it calls the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from feeds.errors import FeedsError

Command = Callable[[argparse.Namespace], int]

USAGE_ERROR = 2


def default_archive_dir() -> Path:
    """``$FEEDS_ARCHIVE``, else ``./archive``."""
    return Path(os.environ.get("FEEDS_ARCHIVE") or "archive")


_ARCHIVE_HELP = "archive directory (default: $FEEDS_ARCHIVE, else ./archive)"


def _add_archive_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "archive", nargs="?", type=Path, default=None, metavar="ARCHIVE_DIR", help=_ARCHIVE_HELP
    )


def _add_archive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", type=Path, default=None, metavar="DIR", help=_ARCHIVE_HELP)


def cmd_check(args: argparse.Namespace) -> int:
    from feeds.catalog import load_catalog

    catalog = load_catalog(args.archive or default_archive_dir())
    archive = catalog.archive
    for diagnostic in archive.diagnostics:
        print(diagnostic)
    print(
        f"{len(archive.entries)} entries, {archive.warning_count} warning(s), "
        f"{archive.error_count} error(s) in {len(archive.files)} file(s)"
    )
    return 1 if archive.error_count else 0


def cmd_export(args: argparse.Namespace) -> int:
    from feeds.catalog import load_catalog

    catalog = load_catalog(args.archive or default_archive_dir())
    _report_diagnostics(catalog.archive.diagnostics, sys.stderr)
    out = sys.stdout
    for entry in catalog.archive.entries:
        record = {
            "id": entry.id,
            "guid": entry.guid,
            "date": entry.date.isoformat(),
            "title": entry.title,
            "summary": entry.summary_text,
            "countries": list(entry.countries),
            "topics": list(entry.topics),
            "source": str(entry.source),
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def cmd_taxonomy(args: argparse.Namespace) -> int:
    from feeds.catalog import load_catalog

    catalog = load_catalog(args.archive or default_archive_dir())
    print("Topics:")
    for topic in catalog.taxonomy.topics:
        count = len(catalog.topic_index.get(topic.slug, ()))
        print(f"  {topic.slug:<22} {count:>6}  {topic.name}: {topic.description}")
    print("Countries:")
    for country, count in catalog.country_counts():
        print(f"  {country.code}  {country.slug:<28} {count:>6}  {country.name}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from webapp.server import serve

    archive = str(args.archive) if args.archive else None
    serve(args.host, args.port, args.workers, archive)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from webapp.export import export_site

    done = export_site(args.outdir, args.base_url, args.archive or default_archive_dir())
    print(f"{done.files} files, {done.bytes / 2**20:.1f} MB, in {done.directory}")
    return 0


def _report_diagnostics(diagnostics: Sequence[object], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=stream)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feeds", description="Publish a newsroom's plain-text archive as feeds."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="report every problem in the archive")
    _add_archive_argument(check)
    check.set_defaults(run=cmd_check)
    export = commands.add_parser("export", help="print every entry as JSON Lines, newest first")
    _add_archive_argument(export)
    export.set_defaults(run=cmd_export)
    taxonomy = commands.add_parser("taxonomy", help="list topics and countries with counts")
    _add_archive_argument(taxonomy)
    taxonomy.set_defaults(run=cmd_taxonomy)
    serve = commands.add_parser("serve", help="serve the feeds over HTTP (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    _add_archive_option(serve)
    serve.add_argument("--workers", type=_positive_int, default=2, metavar="N")
    serve.set_defaults(run=cmd_serve)
    build = commands.add_parser("build", help="write every feed and page into a folder, "
                                "for object storage or a CDN")  # fmt: skip
    build.add_argument("outdir", type=Path, metavar="OUTDIR")
    build.add_argument("--base-url", required=True, metavar="URL",
                       help="the URL the folder will be published at")  # fmt: skip
    _add_archive_option(build)
    build.set_defaults(run=cmd_build)
    from feeds.digest.cli import register as register_digest

    register_digest(commands)
    from feeds.subscriptions.cli import register as register_subscribers

    register_subscribers(commands)
    from feeds.classify.cli import register as register_classify

    register_classify(commands)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except FeedsError as exc:
        print(f"feeds: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # `feeds export | head` is fine
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
