"""A real `showroom serve` process and its configuration, for the tests and the benchmarks that
run the whole program over HTTP (as `runtime.testing` is for the kernel).

    with showroom_server(folder, config_text(secret=SECRET)) as (pid, url): ...

or, for a test that kills and restarts the server, `ServerProcess`.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

STARTED = re.compile(r"running; catalog and health on (http://\S+)")
START_TIMEOUT_S = 60.0


def config_text(
    *,
    secret: str = "",
    port: int = 0,
    tenant: str = "demo",
    gateway: str = "simulator",
    gateway_url: str = "http://127.0.0.1:0",
    open_to_all: bool = True,
    quick_outbox: bool = True,
    sends_at_once: int | None = None,
    tenant_keys: str = "",
    extra: str = "",
) -> str:
    """A config.toml for one tenant. `quick_outbox`: replies go out at once (no typing pause,
    no gap between messages to a chat, no per-minute cap to speak of); `tenant_keys` are more
    lines of the tenant's table; `extra` is appended as it is (more tables)."""
    lines = ["[server]", f"port = {port}"]
    if quick_outbox:
        lines += ["[outbox]", "per_chat_gap_s = 0", "per_minute = 6000", "typing = false"]
        if sends_at_once is not None:
            lines.append(f"sends_at_once = {sends_at_once}")
    lines += [f"[tenants.{tenant}]", f"open_to_all = {'true' if open_to_all else 'false'}"]
    lines += [line for line in tenant_keys.splitlines() if line.strip()]
    lines += [f"[tenants.{tenant}.gateway]", f'kind = "{gateway}"', f'base_url = "{gateway_url}"']
    if secret:
        lines.append(f'webhook_secret = "{secret}"')
    return "\n".join(lines) + "\n" + extra


class ServerProcess:
    """`showroom serve` in `folder` (its working folder, where `config.toml` is written), one
    log file per start: `server-1.log`, `server-2.log`..."""

    def __init__(
        self,
        folder: Path,
        config: str,
        *options: str,
        open_files: int | None = None,
        program: list[str] | None = None,
    ) -> None:
        """`open_files`: the process's open files limit, soft and hard (as a systemd unit
        without LimitNOFILE gives it 1024), so that it cannot raise it. `program`: what runs
        instead of `python -m showroom.cli` (a test's wrapper around it)."""
        self.folder = folder
        self.options = options
        self.open_files = open_files
        self.program = program or [sys.executable, "-m", "showroom.cli"]
        self.starts = 0
        self.process: subprocess.Popen | None = None
        self.url = ""
        (folder / "config.toml").write_text(config)

    @property
    def log(self) -> Path:
        return self.folder / f"server-{self.starts}.log"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> str:
        """Start it and wait for the line that says where it listens; its URL."""
        self.starts += 1
        config = str(self.folder / "config.toml")
        self.process = subprocess.Popen(
            [*self.program, "serve", "--config", config, *self.options],
            stderr=self.log.open("w"),
            cwd=self.folder,
            preexec_fn=self._limit_open_files if self.open_files else None,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            found = STARTED.search(self.log.read_text())
            if found:
                self.url = found.group(1)
                return self.url
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start within {START_TIMEOUT_S:g} s")

    def _limit_open_files(self) -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int:
        """SIGTERM, as systemd stops it: it drains. Its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def simulator_process(folder: Path, port: int, webhook_url: str) -> subprocess.Popen:
    """A simulated gateway in a process of its own (it survives the server's kills, like a
    real gateway), on `port`, posting its webhooks to `webhook_url`. Stop it with
    `terminate()` and `wait()`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "showroom.cli",
            "simulator",
            "--port",
            str(port),
            "--webhook",
            webhook_url,
        ],
        stderr=subprocess.DEVNULL,
        cwd=folder,
    )


@contextlib.contextmanager
def showroom_server(folder: Path, config: str, *options: str) -> Iterator[tuple[int, str]]:
    """Serve with `config` until the block ends, then stop with SIGTERM: (process id, URL)."""
    server = ServerProcess(folder, config, *options)
    server.start()
    try:
        yield server.pid, server.url
    finally:
        server.stop()
