"""The simulated WhatsApp Web API gateway, driven in-process on trio's virtual clock."""

import base64
import json

import httpx
import pytest
import trio
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


class Showroom:
    """Stands in for showroom's webhook endpoint: records what the gateway posts."""

    def __init__(self) -> None:
        self.posts: list[dict] = []

    def app(self) -> Starlette:
        async def receive(request):
            self.posts.append(json.loads(await request.body()))
            return JSONResponse({"status": "accepted"})

        return Starlette(routes=[Route("/webhook/demo/token", receive, methods=["POST"])])


@pytest.fixture
async def gateway():
    showroom = Showroom()
    simulator = Simulator(webhook_url="http://showroom/webhook/demo/token")
    async with trio.open_nursery() as nursery:
        await nursery.start(
            lambda task_status: simulator.run(
                transport=httpx.ASGITransport(showroom.app()), task_status=task_status
            )
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(simulator.app()), base_url="http://gateway"
        ) as client:
            yield simulator, showroom, client
        nursery.cancel_scope.cancel()


async def test_a_message_posts_the_webhook_the_real_gateway_would(gateway):
    _simulator, showroom, client = gateway
    answer = await client.post(
        "/simulate/message", json={"from": "0812 3456 7890", "text": "/upload Honda Jazz"}
    )
    assert answer.json() == {"status": 200}
    [posted] = showroom.posts
    assert posted["event"] == "message" and posted["message"] == "/upload Honda Jazz"
    assert posted["sender"] == posted["chat"] == "6281234567890@s.whatsapp.net"
    [event] = make_adapter(
        GatewayConfig(kind="simulator", webhook_secret="Xq7-random-webhook-token-204")
    ).parse("demo", json.dumps(posted).encode())
    assert event.text == "/upload Honda Jazz"


async def test_a_photo_is_404_until_it_is_ready_then_served(gateway, autojump_clock):
    _, showroom, client = gateway
    answer = await client.post(
        "/simulate/image",
        json={
            "from": "6281234567890",
            "caption": "Tampak depan",
            "image_b64": base64.b64encode(PHOTO).decode(),
            "ready_after_s": 3.0,
        },
    )
    url = showroom.posts[0]["attachment"]["url"]
    assert url == f"/images/{answer.json()['id']}.jpg"
    assert showroom.posts[0]["attachment"]["file_length"] == len(PHOTO)
    missing = await client.get(url)
    assert (missing.status_code, missing.text) == (404, "Image not found")
    await trio.sleep(2.9)
    assert (await client.get(url)).status_code == 404
    await trio.sleep(0.2)
    ready = await client.get(url)
    assert ready.status_code == 200 and ready.content == PHOTO
    assert ready.headers["content-type"] == "image/jpeg"


async def test_a_photo_can_be_served_half_written_once(gateway):
    _, showroom, client = gateway
    await client.post(
        "/simulate/image",
        json={
            "from": "6281234567890",
            "image_b64": base64.b64encode(PHOTO).decode(),
            "truncated_first": True,
        },
    )
    url = showroom.posts[0]["attachment"]["url"]
    assert len((await client.get(url)).content) == len(PHOTO) // 2
    assert (await client.get(url)).content == PHOTO


async def test_send_records_in_order_and_fails_like_the_gateway(gateway):
    _simulator, _, client = gateway
    for text in ("one", "two"):
        assert (
            await client.post("/send", json={"number": "6281234567890", "message": text})
        ).json()["success"] is True
    sent = (await client.get("/simulate/sent", params={"to": "0812-3456-7890"})).json()
    assert [m["text"] for m in sent] == ["one", "two"]
    await client.post("/simulate/faults", json={"send_not_connected": True})
    refused = await client.post("/send", json={"number": "6281234567890", "message": "three"})
    assert refused.status_code == 200 and refused.json()["success"] is False
    assert (await client.post("/send", json={"message": "no number"})).status_code == 400
    assert (await client.post("/simulate/faults", json={"explode": True})).status_code == 400


async def test_duplicate_and_reordered_webhooks(gateway, autojump_clock):
    simulator, showroom, client = gateway
    simulator.faults.duplicate_webhooks = True
    await client.post("/simulate/message", json={"from": "6281234567890", "text": "a"})
    assert [p["message"] for p in showroom.posts] == ["a", "a"]
    simulator.faults.duplicate_webhooks = False
    simulator.faults.reorder_webhooks = True
    for text in "bcdefgh":
        await client.post("/simulate/message", json={"from": "6281234567890", "text": text})
    await trio.sleep(1)
    later = [p["message"] for p in showroom.posts[2:]]
    assert sorted(later) == list("bcdefgh") and later != list("bcdefgh")


async def test_health_and_the_chat_page(gateway):
    _, _, client = gateway
    health = (await client.get("/health")).json()
    assert health["data"]["version"] == "v1.7.0" and health["data"]["connected"] is True
    page = await client.get("/")
    assert page.status_code == 200 and '<script src="/sim.js">' in page.text
    assert "fetch(" in (await client.get("/sim.js")).text
