"""The gateway client's transport: a connection pool per gateway."""

import httpx
import trio

from gateways.transport import PoolPerGateway, proxy_for

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"


async def gateway(nursery, accepted: list[int], index: int) -> int:
    """A gateway that answers every request on a connection it keeps open; counts the
    connections it was opened."""

    async def serve(stream):
        accepted[index] += 1
        buffered = b""
        try:
            while data := await stream.receive_some(65536):
                buffered += data
                while b"\r\n\r\n" in buffered:
                    _, buffered = buffered.split(b"\r\n\r\n", 1)
                    await stream.send_all(ANSWER)
        except trio.BrokenResourceError:
            pass

    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    nursery.start_soon(trio.serve_listeners, serve, listeners)
    return listeners[0].socket.getsockname()[1]


async def test_each_gateway_keeps_its_connection_however_many_gateways_there_are():
    # One pool of 32 for every gateway closed one gateway's idle connection to open
    # another's once more than 32 were in use: with 100 dealers, a connection a request.
    gateways = 40
    accepted = [0] * gateways
    async with trio.open_nursery() as nursery:
        ports = [await gateway(nursery, accepted, n) for n in range(gateways)]
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=4)
        transport = PoolPerGateway(limits)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                for port in ports:
                    answer = await client.get(f"http://127.0.0.1:{port}/health")
                    assert answer.text == "ok"
            assert transport.gateways == gateways
        nursery.cancel_scope.cancel()
    assert accepted == [1] * gateways


def test_a_proxy_in_the_environment_is_used_as_httpx_would(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert proxy_for(httpx.URL("https://graph.facebook.com/v21.0/")) is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,gateway.lan")
    assert proxy_for(httpx.URL("https://graph.facebook.com/v21.0/")) == "http://proxy.internal:3128"
    assert proxy_for(httpx.URL("http://gateway.lan:8080/send")) is None
    assert proxy_for(httpx.URL("http://127.0.0.1:3000/send")) is None
