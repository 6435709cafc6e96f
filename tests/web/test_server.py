"""The web server's own behaviour: binding its address."""

import pytest

from web.server import WebServer


def test_a_port_in_use_is_refused_naming_the_listener_and_its_key():
    taken = WebServer(None, "127.0.0.1", 0)
    try:
        with pytest.raises(OSError) as refused:
            WebServer(None, "127.0.0.1", taken.port, setting="server.port")
        assert f"web server cannot listen on 127.0.0.1:{taken.port} (set by server.port)" in str(
            refused.value
        )
    finally:
        taken.close()
