"""The single-file binary: built the way `make binary` builds it, then run like an operator
would (slow: about a minute to build)."""

import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from showroom import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def binary() -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    built = subprocess.run(
        ["make", "-s", "binary"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return ROOT / "dist" / "showroom"


def test_the_binary_knows_its_version(binary):
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == f"showroom {__version__}"


def test_the_binary_serves_the_catalog_and_stops_on_sigterm(binary, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[server]\nport = 0\n[tenants.demo.gateway]\nbase_url = "http://127.0.0.1:0"\n'
    )
    process = subprocess.Popen(
        [binary, "serve", "--config", str(config)], cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    try:
        for line in process.stderr:
            found = re.search(r"running; catalog and health on (http://\S+)", line)
            if found:
                break
        url = found.group(1)
        for line in process.stderr:
            chat_page = re.search(r"simulated WhatsApp for demo: open (http://\S+)", line)
            if chat_page:
                break
        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            assert b'"database":"ok"' in response.read()
        with urllib.request.urlopen(f"{url}/", timeout=10) as response:
            assert b"Showroom Demo" in response.read()  # templates and styles are inside
        for part in ("/", "/sim.js", "/sim.css"):  # and the simulator's chat page
            with urllib.request.urlopen(chat_page.group(1) + part, timeout=10) as response:
                assert response.status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()


def test_the_binary_plays_the_demo_with_its_photo_workers(binary, tmp_path):
    # the photos are resized in worker processes, which the binary must be able to start
    done = subprocess.run(
        [binary, "demo", "--exit"], capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Foto: 3" in done.stdout and re.search(r"sudah tayang: http://\S+/cars/", done.stdout)
    assert "Traceback" not in done.stderr
