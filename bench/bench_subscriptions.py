"""Issue 16: e-mail subscriptions at 10,000 confirmed subscribers over 50 selection sets.

* A send run (``feeds subscribers send``, a child process) into an SMTP sink on loopback
  (aiosmtpd in another child process, which counts and discards): messages per second,
  CPU, and peak memory at 2,000 and at 10,000 subscribers (bounded: it must not grow
  with the list).
* The sign-up POST (``/subscribe``, in process, with the confirmation message handed to
  the sink): server CPU per request.

    .venv/bin/python bench/bench_subscriptions.py [--subscribers N] [--quick]
        [--postgres postgresql://user@host/postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_parse import synthetic_entries, write_archive
from synth import cached_archive

from feeds.catalog import CatalogLoader
from feeds.documents.directory import listings
from feeds.subscriptions import ledger
from feeds.subscriptions.database import open_engine, upgrade
from feeds.subscriptions.model import SignUp
from feeds.subscriptions.store import SubscriberStore

ROOT = Path(__file__).resolve().parent.parent
SELECTION_SETS = 50
#: A busy day's news: the biggest digest lists all of them.
NEW_ENTRIES = 20
SIGN_UPS = 300
#: ``feeds`` in a child that reports its own CPU seconds and peak RSS (KB) on stderr.
MEASURED = (
    "import resource, sys\n"
    "from feeds.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "use = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print('usage', use.ru_utime + use.ru_stime, use.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
#: The sink: a minimal SMTP server (asyncio) that takes every message and discards it,
#: counting. aiosmtpd reads DATA line by line in Python and would be what is measured.
SINK = r"""
import asyncio, sys
count = 0
async def session(reader, writer):
    global count
    writer.write(b"220 sink ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await reader.readuntil(b"\r\n.\r\n")
            count += 1
            writer.write(b"250 2.0.0 accepted\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()
async def main():
    server = await asyncio.start_server(session, "127.0.0.1", int(sys.argv[1]), limit=2**24)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(count, flush=True)
asyncio.run(main())
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def selection_sets(new: Path, count: int) -> list[tuple[str, ...]]:
    """``count`` distinct sets of one to three selections that the new entries are in."""
    catalog = CatalogLoader(new).load()
    paths = [item.selection.path for items in listings(catalog).values() for item in items]
    rng, sets = random.Random(16), set()
    while len(sets) < count:
        sets.add(tuple(sorted(rng.sample(paths, rng.randint(1, 3)))))
    return sorted(sets)


def populate(url: str, archive: Path, subscribers: int, new: Path) -> None:
    engine = open_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    upto = ledger.record_appearances(engine, CatalogLoader(archive).load().by_id, now)
    sets = selection_sets(new, SELECTION_SETS)
    requests = [
        SignUp(f"reader{n}@example.org", "daily", sets[n % len(sets)]) for n in range(subscribers)
    ]
    SubscriberStore(engine).import_confirmed(requests, upto, now)
    engine.dispose()


def add_new_entries(folder: Path) -> None:
    if folder.exists():
        return
    folder.mkdir()
    made = synthetic_entries(NEW_ENTRIES, random.Random(1616))
    fresh = [(date, re.sub(r"\(no\. (\d+)\)", r"(new \1)", text)) for date, text in made]
    write_archive(folder, fresh, 1)


def environ(url: str, archive: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env.update(
        FEEDS_DATABASE_URL=url,
        FEEDS_ARCHIVE=str(archive),
        FEEDS_SMTP_URL=f"smtp://127.0.0.1:{port}",
        FEEDS_MAIL_FROM="news@example.org",
        FEEDS_SECRET_KEY="benchmark secret key",
        FEEDS_BASE_URL="https://news.example.org",
    )
    return env


def start_sink() -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    return sink, port


def stop_sink(sink: subprocess.Popen[str]) -> int:
    out, _ = sink.communicate("", timeout=60)
    return int(out.strip() or 0)


def fresh_database(work: Path, subscribers: int, postgres: str) -> str:
    """An SQLite file, or a new database on the PostgreSQL server ``postgres``."""
    if not postgres:
        return f"sqlite:///{work / f'subscribers-{subscribers}.db'}"
    import psycopg

    name = f"bench_subscriptions_{os.getpid()}_{subscribers}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return postgres.rsplit("/", 1)[0] + "/" + name


def send_run(subscribers: int, work: Path, postgres: str = "") -> dict[str, float]:
    archive = work / f"archive-{subscribers}"
    shutil.copytree(cached_archive(1000), archive, ignore=shutil.ignore_patterns(".complete"))
    url = fresh_database(work, subscribers, postgres)
    add_new_entries(work / "new")  # its selections first; then into the archive
    populate(url, archive, subscribers, work / "new")
    shutil.copytree(work / "new", archive / "new")
    sink, port = start_sink()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, "subscribers", "send"],
                          env=environ(url, archive, port), capture_output=True, text=True,
                          timeout=1800)  # fmt: skip
    wall = time.perf_counter() - started
    received = stop_sink(sink)
    if done.returncode:
        raise SystemExit(f"send failed: {done.stderr}")
    cpu, rss_kb = map(float, done.stderr.strip().splitlines()[-1].split()[1:])
    return {"subscribers": subscribers, "received": received, "wall": wall, "cpu": cpu,
            "rate": received / wall, "rss_mb": rss_kb / 1024, "out": done.stdout}  # fmt: skip


def sign_up_cpu(work: Path, requests: int) -> float:
    """Mean server CPU of one sign-up POST (ms), the confirmation sent to the sink."""
    from webapp import create_app

    archive = work / "archive-signup"
    shutil.copytree(ROOT / "archive", archive)
    sink, port = start_sink()
    for name in [name for name in os.environ if name.startswith("FEEDS_")]:
        del os.environ[name]
    app = create_app({
        "FEEDS_ARCHIVE": str(archive), "FEEDS_RELOAD_SECONDS": 0,
        "FEEDS_DATABASE_URL": f"sqlite:///{work / 'signup.db'}",
        "FEEDS_SECRET_KEY": "benchmark secret key", "FEEDS_BASE_URL": "https://news.example.org",
        "FEEDS_SMTP_URL": f"smtp://127.0.0.1:{port}", "FEEDS_MAIL_FROM": "news@example.org",
    })  # fmt: skip
    client = app.test_client()
    form = {"period": "weekly", "feed": ["country/mexico", "topic/health"]}

    def post(number: int) -> None:
        client_address = f"10.0.{number // 250}.{number % 250}"
        answer = client.post(
            "/subscribe",
            data={**form, "email": f"r{number}@example.org"},
            environ_base={"REMOTE_ADDR": client_address},
        )
        assert answer.status_code == 200, answer.status_code

    for number in range(20):  # warm up: templates, connections
        post(number)
    started = time.process_time()
    for number in range(20, 20 + requests):
        post(number)
    cpu_ms = (time.process_time() - started) / requests * 1000
    app.extensions["feeds_subscriptions"].close()
    stop_sink(sink)
    return cpu_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="500 subscribers, 50 sign-ups")
    parser.add_argument("--postgres", default="", metavar="URL",
                        help="send runs on this PostgreSQL server (postgresql://user@host/db), "
                        "in new databases; default: SQLite files")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = [200, 500] if args.quick else [2_000, args.subscribers]
    with tempfile.TemporaryDirectory(prefix="bench-subscriptions-") as folder:
        work = Path(folder)
        print("| subscribers | messages | wall s | msg/s | sender CPU s | peak RSS MB |")
        print("|---|---|---|---|---|---|")
        for size in sizes:
            r = send_run(size, work, args.postgres)
            print(f"| {size:,} | {r['received']:,} | {r['wall']:.1f} | {r['rate']:.0f} | "
                  f"{r['cpu']:.1f} | {r['rss_mb']:.0f} |", flush=True)  # fmt: skip
        cpu = sign_up_cpu(work, 50 if args.quick else SIGN_UPS)
        print(f"\nsign-up POST: {cpu:.2f} ms server CPU per request (mean)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
