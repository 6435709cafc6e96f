"""Sales texts: the templates, the checks, and an OpenAI-compatible writer behind a fake server."""

import httpx
import pytest
import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from actors.ai_copy import ChatCopywriter
from actors.copywriter import acceptable, describe
from web.server import WebServer

DRAFT = {
    "make": "Honda",
    "model": "Freed",
    "variant": "PSD",
    "year": 2012,
    "transmission": "Matic",
    "mileage_km": 145515,
    "price_idr": 145_000_000,
    "color": "Putih",
}
GOOD = (
    "Honda Freed PSD 2012 warna putih, transmisi matic, siap menemani keluarga Anda. "
    "Harga Rp 145.000.000, silakan chat untuk lihat unitnya."
)


def test_the_template_states_only_the_facts_and_varies_between_cars():
    text = describe(DRAFT, "id")
    assert "Honda Freed PSD" in text and "2012" in text and "145.515 km" in text
    assert acceptable(text, DRAFT)
    openings = {
        describe({**DRAFT, "variant": v}, "id").split(".")[0].split()[0]
        for v in ("E", "S", "V", "RS", "PSD", "SD", "G", "X")
    }
    assert len(openings) > 1
    assert (
        "For sale" in describe(DRAFT, "en")
        or "Available" in describe(DRAFT, "en")
        or "Looking" in describe(DRAFT, "en")
        or "A 2012" in describe(DRAFT, "en")
    )


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (GOOD, True),
        (GOOD.replace("2012", "2015"), False),  # an invented year
        (GOOD.replace("Rp 145.000.000", "Rp 139.000.000"), False),  # an invented price
        (GOOD.replace("Rp 145.000.000", "145 juta"), True),
        (GOOD + " Lihat https://example.com", False),
        ("Mobil bagus.", False),
        ("x" * 1300, False),
    ],
)
def test_a_written_text_is_checked_before_use(text, ok):
    assert acceptable(text, DRAFT) is ok


def fake_api(answer, delay_s: float = 0.0):
    seen = []

    async def completions(request: Request):
        seen.append(await request.json())
        await trio.sleep(delay_s)
        return answer() if callable(answer) else answer

    app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
    return app, seen


def chat(text: str) -> JSONResponse:
    return JSONResponse({"choices": [{"message": {"role": "assistant", "content": text}}]})


@pytest.mark.parametrize(
    ("answer", "delay_s", "expected"),
    [
        (lambda: chat(GOOD), 0, GOOD),
        (lambda: chat(GOOD), 3.0, None),  # too slow: the template is used
        (lambda: PlainTextResponse("not json"), 0, None),
        (lambda: JSONResponse({"choices": []}), 0, None),
        (lambda: JSONResponse({"error": "overloaded"}, status_code=503), 0, None),
        (lambda: chat(GOOD.replace("2012", "2019")), 0, None),
    ],
)
async def test_the_writer_behind_a_local_fake_server(answer, delay_s, expected):
    app, seen = fake_api(answer, delay_s)
    server = WebServer(app, "127.0.0.1", 0, name="fake model", graceful_timeout_s=0.1)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(server.run)
        writer = ChatCopywriter(client, f"{server.url}/v1", "test-model", "sk-test", 1.0)
        with trio.fail_after(10):
            assert await writer.write(DRAFT, "id") == expected
        nursery.cancel_scope.cancel()
    server.close()
    assert seen and seen[0]["model"] == "test-model"
    assert '"price_idr": 145000000' in seen[0]["messages"][1]["content"]
