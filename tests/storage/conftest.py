"""A throwaway PostgreSQL server for the tests that prove the models run there too.

Uses $SHOWROOM_TEST_POSTGRES_DSN when set; otherwise starts a private cluster with the
machine's initdb/pg_ctl (as the `postgres` user when running as root) on a Unix socket, and
removes it afterwards. Without either, those tests are skipped with the reason shown.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def _pg_tool(name: str) -> str | None:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name)


@pytest.fixture(scope="session")
def postgres_dsn():
    if os.environ.get("SHOWROOM_TEST_POSTGRES_DSN"):
        yield os.environ["SHOWROOM_TEST_POSTGRES_DSN"]
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

    try:
        run(initdb, "-D", str(data), "-U", "showroom", "--auth=trust", "-E", "UTF8")
        run(
            pg_ctl,
            "-D",
            str(data),
            "-w",
            "-l",
            str(home / "log"),
            "-o",
            f"-k {home} -c listen_addresses='' -c fsync=off",
            "start",
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        shutil.rmtree(home, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server here: {exc}")
    try:
        yield f"postgresql://showroom@/postgres?host={home}"
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)
