"""A real `showroom serve` process for the benchmarks that measure one over HTTP."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def showroom_server(folder: Path, config: str, *options: str) -> Iterator[tuple[int, str]]:
    """Serve with `config` (written to `folder`, which is also the working folder) until the
    block ends, then stop it with SIGTERM: (its process id, its URL). Its log is
    `folder/server.log`."""
    path = folder / "config.toml"
    path.write_text(config)
    log = folder / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "showroom.cli", "serve", "--config", str(path), *options],
        stderr=log.open("w"),
        cwd=folder,
    )
    try:
        yield server.pid, _wait_for_url(server, log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_url(server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        found = re.search(r"running; catalog and health on (http://\S+)", text)
        if found:
            return found.group(1)
        if server.poll() is not None:
            raise SystemExit(f"server exited: {text}")
        time.sleep(0.05)
    raise SystemExit("server did not start")
