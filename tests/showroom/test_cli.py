"""The `showroom` command, run as a real process: version, help, config errors, serve and stop."""

import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import trio

from showroom import __version__
from showroom.app import EXIT_ON_SECOND_SIGNAL, watch_signals

SHOWROOM = [sys.executable, "-m", "showroom.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SHOWROOM, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_version():
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"showroom {__version__}"


def test_help_lists_the_commands():
    done = run("--help")
    assert done.returncode == 0
    assert "serve" in done.stdout and "--config" in done.stdout


def test_a_bad_config_stops_serve_with_one_clear_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\nport = 99999\n")
    done = run("serve", "--config", str(config))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"showroom: {config}: 'server.port' is 99999; allowed: at least 0 and at most 65535"
    ]


def start_server(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    config = tmp_path / "config.toml"
    config.write_text(
        '[server]\nhost = "127.0.0.1"\nport = 0\n'
        '[tenants.demo.gateway]\nbase_url = "http://127.0.0.1:0"\n'
    )
    process = subprocess.Popen(
        [*SHOWROOM, "serve", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    for line in process.stderr:  # wait for the line that says where it listens
        found = re.search(r"running; catalog and health on (http://\S+)", line)
        if found:
            return process, found.group(1)
    raise AssertionError(f"server exited early with {process.wait()}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_health_and_stops_cleanly_on_the_first_signal(tmp_path, signum):
    process, url = start_server(tmp_path)
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            health = json.load(response)
        assert health["status"] == "ok" and health["version"] == __version__
        assert health["database"] == "ok" and health["schema_version"] >= 1
        process.send_signal(signum)
        assert process.wait(timeout=15) == 0
        rest = process.stderr.read()
        assert "draining" in rest and "showroom stopped" in rest
        assert "Traceback" not in rest
    finally:
        process.kill()
        process.wait()


def test_backup_while_the_server_runs(tmp_path):
    process, _ = start_server(tmp_path)
    try:
        target = tmp_path / "backups" / "showroom-1.db"
        done = run("backup", "--config", str(tmp_path / "config.toml"), str(target))
        assert done.returncode == 0, done.stderr
        assert "integrity ok" in done.stdout
        with sqlite3.connect(target) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= 1
        again = run("backup", "--config", str(tmp_path / "config.toml"), str(target))
        assert again.returncode == 1 and "already exists" in again.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_a_database_from_a_newer_showroom_is_refused_at_start(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "old.db"\n')
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
        )
        connection.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    done = run("serve", "--config", str(config))
    assert done.returncode == 2
    assert "schema is version 99" in done.stderr and "Traceback" not in done.stderr


def test_a_photo_folder_that_cannot_be_used_is_refused_at_start(tmp_path):
    config = tmp_path / "config.toml"
    (tmp_path / "photos").write_text("a file where the folder should be")
    config.write_text('[media]\ndir = "photos"\n')
    done = run("serve", "--config", str(config))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("showroom: cannot use the photo folder: media.dir ")
    assert not (tmp_path / "data").exists()  # refused before the database was made


def _truncated(path: Path) -> None:
    from storage.database import prepare_sqlite

    prepare_sqlite(path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 8)


def _read_only(path: Path) -> None:
    """The database on a read-only filesystem (root writes through any file mode: a tmpfs
    mounted read-only stops it too), else a read-only file in a read-only folder."""
    from storage.database import prepare_sqlite

    if os.geteuid() == 0:
        mount = ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path.parent)]
        if subprocess.run(mount, capture_output=True, check=False).returncode != 0:
            pytest.skip("root writes read-only files, and no filesystem can be mounted here")
        prepare_sqlite(path)
        subprocess.run(["mount", "-o", "remount,ro", str(path.parent)], check=True)
        return
    prepare_sqlite(path)
    path.chmod(0o444)
    path.parent.chmod(0o555)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda path: path.write_bytes(b"hello, I am not SQLite" * 100), "damaged"),
        (_truncated, "damaged"),
        (lambda path: path.mkdir(), "cannot be opened"),
        (_read_only, ("read-only", "cannot be opened")),  # SQLite says one or the other
    ],
    ids=["not-sqlite", "truncated", "a-folder", "read-only"],
)
def test_a_bad_database_file_is_one_line_and_exit_2(tmp_path, make, expected):
    config = tmp_path / "config.toml"
    (tmp_path / "db").mkdir()
    config.write_text('[database]\npath = "db/showroom.db"\n')
    try:
        make(tmp_path / "db" / "showroom.db")
        done = run("serve", "--config", str(config))
    finally:
        if make is _read_only and os.geteuid() == 0:
            subprocess.run(["umount", str(tmp_path / "db")], capture_output=True, check=False)
        (tmp_path / "db").chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("showroom: cannot open the database: ")
    assert any(
        words in done.stderr for words in (expected if isinstance(expected, tuple) else (expected,))
    )
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_when_supervision_gives_up_the_exit_code_is_3_without_a_traceback(
    tmp_path, monkeypatch, capsys
):
    import showroom.app
    from runtime import Escalation
    from showroom.cli import EXIT_GAVE_UP, main

    async def gives_up(settings):
        # as trio delivers it: inside the exception groups of the nurseries on the way out
        raise ExceptionGroup(
            "nursery", [ExceptionGroup("tree", [Escalation("showroom", "outbox:demo", 3, 5)])]
        )

    monkeypatch.setattr(showroom.app, "serve", gives_up)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # main() sets up logging
    monkeypatch.setattr(root, "level", root.level)
    (tmp_path / "config.toml").write_text('[log]\nlevel = "warning"\n')
    assert main(["serve", "--config", str(tmp_path / "config.toml")]) == EXIT_GAVE_UP
    err = capsys.readouterr().err
    assert "gave up on 'outbox:demo'" in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


async def test_first_signal_drains_and_the_second_exits_at_once():
    drained, exited = trio.Event(), trio.Event()
    exits = []

    class Root:
        def shutdown(self) -> None:
            drained.set()

    def exit_now(code: int) -> None:
        exits.append(code)
        exited.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(watch_signals, Root(), exit_now)
        await trio.testing.wait_all_tasks_blocked()
        os.kill(os.getpid(), signal.SIGTERM)
        with trio.fail_after(10):
            await drained.wait()
        assert exits == []
        os.kill(os.getpid(), signal.SIGINT)
        with trio.fail_after(10):
            await exited.wait()
        assert exits == [EXIT_ON_SECOND_SIGNAL]
        nursery.cancel_scope.cancel()


@pytest.mark.parametrize(
    "secret", ["secret", "aaaaaaaaaaaaaaaa", "secretsecretsecret", "abc             "]
)
def test_a_weak_webhook_secret_is_refused_at_start_before_the_database(tmp_path, secret):
    config = tmp_path / "config.toml"
    config.write_text(f'[tenants.demo.gateway]\nkind = "gowa"\nwebhook_secret = "{secret}"\n')
    done = run("serve", "--config", str(config))
    assert done.returncode == 2
    assert "'tenants.demo.gateway.webhook_secret'" in done.stderr
    assert repr(secret) not in done.stderr  # the refusal never repeats the secret
    assert secret == "secret" or secret.strip() not in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "data").exists()  # nothing was created


@pytest.mark.parametrize(
    ("table", "line", "key"),
    [
        ("tenants.demo.gateway", 'base_url = "not a url"', "tenants.demo.gateway.base_url"),
        ("tenants.demo", 'public_url = "ftp://mobil.example.id"', "tenants.demo.public_url"),
        ("tenants.demo", 'public_url = "mobil.example.id"', "tenants.demo.public_url"),
    ],
)
def test_addresses_that_are_not_http_are_refused_at_start(tmp_path, table, line, key):
    config = tmp_path / "config.toml"
    config.write_text(f"[{table}]\n{line}\n")
    done = run("serve", "--config", str(config))
    assert done.returncode == 2
    assert f"'{key}' must be an http:// or https:// address" in done.stderr
    assert not (tmp_path / "data").exists()


def test_the_standalone_simulator_serves_the_gateway_endpoints(tmp_path):
    process = subprocess.Popen(
        [*SHOWROOM, "simulator", "--port", "0", "--webhook", "http://127.0.0.1:9/webhook/x/y"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        for line in process.stderr:
            found = re.search(r"gateway listening on (http://\S+)", line)
            if found:
                break
        with urllib.request.urlopen(f"{found.group(1)}/health", timeout=10) as response:
            assert json.load(response)["data"]["version"] == "v1.7.0"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_parse_prints_the_draft_as_json():
    done = run("parse", "Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt")
    assert done.returncode == 0
    draft = json.loads(done.stdout)
    assert draft == {
        "make": "Honda",
        "model": "Freed",
        "variant": "PSD",
        "year": 2012,
        "transmission": "Matic",
        "fuel": None,
        "color": None,
        "mileage_km": 145515,
        "price_idr": 145000000,
        "missing": [],
    }


def test_sellers_and_admins_from_the_command_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[tenants.surabaya]\nname = "Surabaya Motor"\n')
    at = ["--config", str(config)]
    assert run("admin", "add", "0813-1111-2222", *at).stdout.strip() == (
        "6281311112222 is now an admin"
    )
    assert run("seller", "add", "+62 812 3456 7890", "Budi", "Santoso", *at).returncode == 0
    listing = run("seller", "list", *at).stdout
    assert "6281234567890\tBudi Santoso\tseller\t0 listing(s)" in listing
    assert "6281311112222" in listing  # admins may sell too
    last = run("admin", "remove", "081311112222", *at)
    assert last.returncode == 1 and "last admin" in last.stdout
    assert run("seller", "remove", "081234567890", *at).stdout.strip() == (
        "6281234567890 is no longer a seller"
    )
    bad = run("seller", "add", "budi", *at)
    assert bad.returncode == 2 and "not a phone number" in bad.stderr


def test_with_several_dealers_the_command_line_asks_which(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[tenants.jaya]\n[tenants.jaya.gateway]\nbase_url = "http://127.0.0.1:8081"\n'
        '[tenants.sentosa]\n[tenants.sentosa.gateway]\nbase_url = "http://127.0.0.1:8082"\n'
    )
    at = ["--config", str(config)]
    unsaid = run("seller", "add", "081299998888", "Eko", *at)
    assert unsaid.returncode == 2 and "--tenant (jaya, sentosa)" in unsaid.stderr
    assert run("seller", "add", "081299998888", "Eko", "--tenant", "sentosa", *at).returncode == 0
    assert "6281299998888" in run("seller", "list", "--tenant", "sentosa", *at).stdout
    assert "6281299998888" not in run("seller", "list", "--tenant", "jaya", *at).stdout


def test_the_demo_plays_a_whole_upload_and_exits(tmp_path):
    done = subprocess.run(
        [*SHOWROOM, "demo", "--exit"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "seller> /upload Honda Freed" in out and "Foto: 3" in out
    link = re.search(r"sudah tayang: (http://\S+)", out)
    assert link and link.group(1).endswith("/cars/honda-freed-psd-2012-h01")
    assert "Traceback" not in done.stderr


def _demo_ended_by_ctrl_c(tmp_path, when) -> None:
    """Run `showroom demo` in a terminal's way (its own process group), press Ctrl-C once
    `when(line)` is true of a line it printed: it must end cleanly."""
    process = subprocess.Popen(
        [*SHOWROOM, "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as in a terminal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for line in process.stdout:
            if when(line):
                break
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait()


def test_the_demo_keeps_its_site_up_until_ctrl_c(tmp_path):
    def live_and_shown(line: str) -> bool:
        live = re.search(r"The car is live: (http://\S+)", line)
        if live:
            with urllib.request.urlopen(live.group(1), timeout=10) as response:
                assert b"Honda Freed" in response.read()
        return bool(live)

    _demo_ended_by_ctrl_c(tmp_path, live_and_shown)


def test_ctrl_c_in_the_middle_of_the_demos_conversation_ends_it(tmp_path):
    # the photos still coming, the preview not yet
    _demo_ended_by_ctrl_c(tmp_path, lambda line: "seller> [photo" in line)


def test_a_postgresql_server_that_cannot_be_reached_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "config.toml"
    # nothing listens on this socket folder; the password never reaches the line
    config.write_text(
        f'[database]\nurl = "postgresql://bot:Tr0ub4dor-3@/showroom?host={tmp_path}"\n'
    )
    done = run("serve", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("showroom: cannot open the database: postgresql://bot@/")
    assert "cannot be reached" in done.stderr and "check [database] url" in done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert "Tr0ub4dor-3" not in done.stderr


def test_a_missing_postgresql_database_is_one_line_and_exit_2(tmp_path, postgres_server):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{postgres_server.database_url("no_such_db")}"\n')
    done = run("serve", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert "the database does not exist on the server" in done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_sellers_backups_and_postgresql_from_the_command_line(tmp_path, postgres_url):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{postgres_url}"\n')
    at = ("--config", str(config))
    added = run("seller", "add", "0812 0000 1111", "Budi", *at)
    assert added.returncode == 0 and "6281200001111 is now a seller" in added.stdout
    listed = run("seller", "list", *at)
    assert "6281200001111\tBudi\tseller" in listed.stdout
    backup = run("backup", str(tmp_path / "copy.db"), *at)
    assert backup.returncode == 1 and "pg_dump" in backup.stderr
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "data").exists()
