"""The program's own wiring: what the builders work out from the settings."""

import pytest

from showroom.app import _local_url
from web.server import WebServer


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:"),
        ("0.0.0.0", "http://127.0.0.1:"),
        ("::1", "http://[::1]:"),
    ],
)
def test_this_servers_own_address_is_one_a_client_here_can_use(host, expected):
    try:
        server = WebServer(None, host, 0)
    except OSError:
        pytest.skip(f"{host} cannot be listened on here")
    try:
        url = _local_url(server)
        assert url == f"{expected}{server.port}"
    finally:
        server.close()
