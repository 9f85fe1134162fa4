"""A throw-away PostgreSQL cluster for the subscription tests (issue 16).

Debian's ``postgresql`` package (``scripts/test-deps.sh`` installs it when run as root)
gives ``initdb`` and ``pg_ctl`` under ``/usr/lib/postgresql/*/bin``. The cluster lives in
a temporary folder and listens on a free loopback port and a socket in that folder; as
root it runs as the ``postgres`` user (PostgreSQL refuses to run as root). Without
them, the tests that need it skip and say why.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import HOST, free_port

_counter = itertools.count(1)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_user() -> list[str] | None:
    """The prefix that runs a command as a user PostgreSQL accepts; None if there is none."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-c"]


class Cluster:
    def __init__(self, port: int) -> None:
        self.port = port

    def new_database(self) -> str:
        """A fresh, empty database on the cluster; its URL."""
        import psycopg

        name = f"feeds_test_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(
            host=HOST, port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@{HOST}:{self.port}/{name}"


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    bin_dir, prefix = _bin_dir(), _as_user()
    if bin_dir is None:
        pytest.skip(
            "needs Debian's postgresql package (/usr/lib/postgresql/*/bin/initdb); "
            "scripts/test-deps.sh installs it when run as root"
        )
    if prefix is None:
        pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    root = Path(tempfile.mkdtemp(prefix="feeds-pg-"))
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8")  # fmt: skip
        options = f"-k {root} -p {port} -c listen_addresses={HOST} -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
            "-l", str(root / "log"), "-w", "-t", "60", "start")  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')[-300:]}")
    try:
        yield Cluster(port)
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh subscriber database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'subscribers.db'}"
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    return cluster.new_database()
