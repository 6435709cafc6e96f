"""The OpenAI-compatible sales-text writer behind a fake server on a loopback port."""

import httpx
import pytest
import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from actors.ai_copy import ChatCopywriter
from tests.domain.test_copywriter import DRAFT, GOOD
from web.server import WebServer


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


async def test_a_buyers_question_is_answered_from_the_given_facts_only():
    from domain.buyer import BuyerSettings, CarFacts

    car = CarFacts(
        "T01", "Toyota", "Avanza", "G", 2019, 150_000_000, 45_000, "Matic", "Bensin", "Putih",
        "available", "toyota-avanza-g-2019-t01", "62812",
    )  # fmt: skip
    settings = BuyerSettings(showroom="Mobil Jaya", address="Jl. Raya 1", model_answers=True)
    answers = iter(["Mesin #T01 terawat, tim kami siap bantu.", "Ada juga #T09 kak."])
    app, seen = fake_api(lambda: chat(next(answers)))
    server = WebServer(app, "127.0.0.1", 0, name="fake model", graceful_timeout_s=0.1)
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        nursery.start_soon(server.run)
        writer = ChatCopywriter(client, f"{server.url}/v1", "test-model", "", 1.0)
        with trio.fail_after(10):
            good = await writer.answer("cocok buat mudik?", (car,), settings)
            invented = await writer.answer("ada yang lain?", (car,), settings)
        nursery.cancel_scope.cancel()
    server.close()
    assert good == "Mesin #T01 terawat, tim kami siap bantu." and invented is None
    given = seen[0]["messages"][1]["content"]
    assert '"#T01"' in given and "Rp 150.000.000" in given and "Jl. Raya 1" in given
