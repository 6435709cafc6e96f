"""Stand-in gateways for the benchmarks: minimal HTTP servers that give every request the same
answer, on a connection they keep open, in a process of their own (so their CPU is not the
server's nor the load generator's).

    python -m bench.support.stand_in COUNT ANSWER   # ANSWER: not-saved-yet | sent
prints the COUNT ports on one line, then serves until killed.
"""

from __future__ import annotations

import subprocess
import sys

import trio

SENT = b'{"code":"SUCCESS","message":"Success","results":{"message_id":"3EB0BENCH","status":"ok"}}'
ANSWERS = {
    # a photo the gateway has not saved yet: most of a busy installation's requests
    "not-saved-yet": b"HTTP/1.1 404 Not Found\r\ncontent-length: 15\r\n"
    b"content-type: text/plain\r\n\r\nImage not found",
    # GoWA's answer to a send it accepted
    "sent": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(SENT)).encode()
    + b"\r\n\r\n"
    + SENT,
}


async def serve(count: int, answer: bytes) -> None:
    async def answer_each(stream: trio.SocketStream) -> None:
        buffered = b""
        try:
            while data := await stream.receive_some(65536):
                buffered += data
                while b"\r\n\r\n" in buffered:
                    head, buffered = buffered.split(b"\r\n\r\n", 1)
                    length = next(
                        (
                            int(line.split(b":", 1)[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(buffered) < length:  # the request's body
                        buffered += await stream.receive_some(65536)
                    buffered = buffered[length:]
                    await stream.send_all(answer)
        except trio.BrokenResourceError:
            pass

    async with trio.open_nursery() as nursery:
        ports = []
        for _ in range(count):
            listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
            ports.append(listeners[0].socket.getsockname()[1])
            nursery.start_soon(trio.serve_listeners, answer_each, listeners)
        print(" ".join(map(str, ports)), flush=True)
        await trio.sleep_forever()


def start(count: int, answer: str) -> tuple[subprocess.Popen, list[int]]:
    """The stand-ins in their process, and their ports. Kill the process when done."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.support.stand_in", str(count), answer],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, [int(port) for port in process.stdout.readline().split()]


if __name__ == "__main__":
    trio.run(serve, int(sys.argv[1]), ANSWERS[sys.argv[2]])
