"""Fixtures shared by every test folder: a real SQLite file, migrated, with one tenant; and a
throwaway PostgreSQL server for the tests that prove showroom runs there too.

PostgreSQL: $SHOWROOM_TEST_POSTGRES_DSN when set; otherwise a private cluster started with the
machine's initdb/pg_ctl (as the `postgres` user when running as root) on a Unix socket, and
removed afterwards. Without either, those tests are skipped with the reason shown.
"""

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from storage.database import migrate, open_sqlite
from storage.models import Tenant


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "showroom.db"


@pytest.fixture
def db(db_path: Path):
    database = open_sqlite(db_path)
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def tenant(db) -> Tenant:
    with db.connection_context():
        return Tenant.create(slug="surabaya-motor", name="Surabaya Motor")


PG_BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def _pg_tool(name: str) -> str | None:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name)


@dataclass
class PostgresServer:
    """A PostgreSQL server for the tests: its address (`dsn`, of its `postgres` database)
    and, for the private one started here, a way to restart it."""

    dsn: str
    restart_command: list[str] | None = None

    def restart(self) -> None:
        """Stop the server at once (its connections are cut) and start it again."""
        if self.restart_command is None:
            pytest.skip(
                "the PostgreSQL server is not ours to restart ($SHOWROOM_TEST_POSTGRES_DSN)"
            )
        subprocess.run(self.restart_command, check=True, capture_output=True, timeout=120)

    def database_url(self, name: str) -> str:
        return urlunsplit(urlsplit(self.dsn)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_server():
    if os.environ.get("SHOWROOM_TEST_POSTGRES_DSN"):
        yield PostgresServer(os.environ["SHOWROOM_TEST_POSTGRES_DSN"])
        return
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no PostgreSQL: set SHOWROOM_TEST_POSTGRES_DSN or install postgresql")
    as_user: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="showroom-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL")
        os.chown(home, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = home / "data"

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    options = ["-o", f"-k {home} -c listen_addresses='' -c fsync=off"]
    control = [*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(home / "log"), *options]
    try:
        run(initdb, "-D", str(data), "-U", "showroom", "--auth=trust", "-E", "UTF8")
        subprocess.run([*control, "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        shutil.rmtree(home, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server here: {exc}")
    try:
        yield PostgresServer(
            f"postgresql://showroom@/postgres?host={home}", [*control, "-m", "immediate", "restart"]
        )
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server) -> str:
    return postgres_server.dsn


_fresh = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server):
    """The address of a new, empty database on the test server (dropped afterwards)."""
    name = f"showroom_test_{os.getpid()}_{next(_fresh)}"
    admin = peewee.PostgresqlDatabase(postgres_server.dsn, autoconnect=True)
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    yield postgres_server.database_url(name)
    admin = peewee.PostgresqlDatabase(postgres_server.dsn, autoconnect=True)
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
