"""The simulated WhatsApp Web API gateway, driven in-process on trio's virtual clock."""

import base64
import json

import httpx
import pytest
import trio
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from gateways.simulator_chats import DEMO_BUYER, ChatLog, chat_of

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


class Showroom:
    """Stands in for showroom's webhook endpoint: records what the gateway posts."""

    def __init__(self) -> None:
        self.posts: list[dict] = []

    def app(self) -> Starlette:
        async def receive(request):
            self.posts.append(json.loads(await request.body()))
            return JSONResponse({"status": "accepted"})

        async def photo(_):
            return Response(PHOTO, media_type="image/jpeg")

        return Starlette(
            routes=[
                Route("/webhook/demo/token", receive, methods=["POST"]),
                Route("/media/demo/car.jpg", photo, methods=["GET"]),
            ]
        )


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


async def test_the_chat_log_keeps_both_sides_in_order_with_ticks(gateway):
    simulator, _, client = gateway
    await client.post("/simulate/message", json={"from": "0812 3456 7890", "text": "halo"})
    await client.post("/send", json={"number": "6281234567890", "message": "Halo juga"})
    simulator.webhook_url = "http://showroom/nowhere"  # showroom answers 404: the post fails
    await client.post("/simulate/message", json={"from": "6281234567890", "text": "lagi"})
    answer = (await client.get("/simulate/messages")).json()
    chat = [(m["author"], m["text"], m["status"]) for m in answer["messages"]]
    assert chat == [
        ("person", "halo", "delivered"),
        ("bot", "Halo juga", "received"),
        ("person", "lagi", "failed"),
    ]
    assert {m["chat"] for m in answer["messages"]} == {"6281234567890"}
    assert [m["id"] for m in answer["messages"]] == [1, 2, 3]
    # the page asks only for what changed since it last looked
    later = (await client.get("/simulate/messages", params={"after": answer["seq"]})).json()
    assert later["messages"] == [] and later["seq"] == answer["seq"]


async def test_a_message_changed_after_the_page_looked_comes_again(gateway):
    simulator, _, _ = gateway
    written = simulator.chats.person_wrote("6281234567890", "halo")
    seen = simulator.chats.seq
    simulator.chats.delivered(written, accepted=True)
    assert [m.status for m in simulator.chats.changed_after(seen)] == ["delivered"]
    simulator.chats.delivered(written, accepted=False)  # a later duplicate post failed
    assert written.status == "delivered"


async def test_an_album_posts_its_parent_then_each_photo_with_its_caption(gateway):
    simulator, showroom, client = gateway
    photos = [
        {"image_b64": base64.b64encode(PHOTO).decode(), "caption": "Honda Jazz 2015 harga 150jt"},
        {"image_b64": base64.b64encode(PHOTO[::-1]).decode(), "ready_after_s": 60},
    ]
    answer = await client.post(
        "/simulate/album", json={"from": "0812 3456 7890", "photos": photos, "ready_after_s": 5}
    )
    ids = answer.json()["ids"]
    assert answer.json()["statuses"] == [200, 200] and len(ids) == 2
    parent, first, second = showroom.posts
    assert parent["attachment"] == {"type": "unknown"}
    assert parent["message"] == "Non-text message received"
    assert first["attachment"]["caption"] == "Honda Jazz 2015 harga 150jt"
    assert first["message"] == "Image received: Honda Jazz 2015 harga 150jt"
    assert second["attachment"]["caption"] == "" and second["message"] == "Image received"
    adapter = make_adapter(
        GatewayConfig(kind="simulator", webhook_secret="Xq7-random-webhook-token-204")
    )
    events = [adapter.parse("demo", json.dumps(p).encode()) for p in showroom.posts]
    assert events[0] == [] and [e.text for [e] in events[1:]] == [photos[0]["caption"], ""]
    # the gateway's copies are not saved yet; the sender's phone shows its photos at once
    assert (await client.get(f"/images/{ids[0]}.jpg")).status_code == 404
    chat = (await client.get("/simulate/messages")).json()["messages"]
    assert [(m["text"], m["image"]) for m in chat] == [
        (photos[0]["caption"], f"/chat-images/{ids[0]}.jpg"),
        ("", f"/chat-images/{ids[1]}.jpg"),
    ]
    image_requests = simulator.image_requests
    shown = await client.get(chat[1]["image"])
    assert shown.status_code == 200 and shown.content == PHOTO[::-1]
    assert simulator.image_requests == image_requests  # not counted as the bot's download


async def test_one_photo_picked_alone_is_no_album(gateway):
    _, showroom, client = gateway
    photo = {"image_b64": base64.b64encode(PHOTO).decode(), "caption": "depan"}
    await client.post("/simulate/album", json={"from": "6281234567890", "photos": [photo]})
    [posted] = showroom.posts
    assert posted["attachment"]["type"] == "image"


@pytest.mark.parametrize(
    "body",
    [
        {"from": "6281234567890", "photos": []},
        {"from": "6281234567890", "photos": [{"image_b64": "not base64!"}]},
        {"from": "6281234567890", "photos": ["x"]},
        {"from": "nobody", "photos": [{"image_b64": base64.b64encode(PHOTO).decode()}]},
        {"from": "6281234567890", "photos": [{"image_b64": "eA=="}] * 31},
    ],
)
async def test_a_bad_album_is_refused_and_posts_nothing(gateway, body):
    _, showroom, client = gateway
    assert (await client.post("/simulate/album", json=body)).status_code == 400
    assert showroom.posts == []


async def test_people_on_the_page_and_the_bot_photos_they_get(gateway):
    _, _, client = gateway
    chats = (await client.get("/simulate/chats")).json()
    people = [(c["name"], c["role"]) for c in chats["chats"]]
    assert people == [("Penjual", "seller"), ("Pembeli 1", "buyer")]
    new = (await client.post("/simulate/contacts", json={})).json()
    again = (await client.post("/simulate/contacts", json={})).json()
    assert (new["name"], new["role"]) == ("Pembeli 2", "buyer")
    assert again["name"] == "Pembeli 3" and again["number"] != new["number"]
    added = await client.post("/simulate/contacts", json={"number": "0811-222-333", "name": "Ani"})
    assert added.json() == {"number": "62811222333", "name": "Ani", "role": ""}
    bad = await client.post("/simulate/contacts", json={"number": "12"})
    assert bad.status_code == 400
    # a number only a script wrote as, and the bot's photo with its caption, show too
    await client.post("/simulate/message", json={"from": "0813 9999 0000", "text": "tanya"})
    car_photo = {"type": "image", "url": "http://showroom/media/demo/car.jpg"}
    sent = await client.post(
        "/send", json={"number": new["number"], "message": "Foto mobil", "attachments": [car_photo]}
    )
    assert sent.json()["success"] is True
    listed = {c["number"]: c for c in (await client.get("/simulate/chats")).json()["chats"]}
    assert listed["6281399990000"]["name"] == "6281399990000"
    assert listed["6281399990000"]["last"]["text"] == "tanya"
    bot_photo = listed[new["number"]]["last"]
    assert (bot_photo["author"], bot_photo["text"]) == ("bot", "Foto mobil")
    assert (await client.get(bot_photo["image"])).content == PHOTO


async def test_for_people_lists_configured_sellers_a_buyer_and_admins():
    chats = ChatLog.for_people(
        dealer_name="Surabaya Motor",
        admins=("628111",),
        sellers=("628222", "628333"),
    ).chats()
    assert [(c["number"], c["name"], c["role"]) for c in chats] == [
        ("628222", "Penjual 1", "seller"),
        ("628333", "Penjual 2", "seller"),
        (DEMO_BUYER, "Pembeli 1", "buyer"),
        ("628111", "Admin", "admin"),
    ]


def test_chat_of_an_address():
    assert chat_of("6281234567890@s.whatsapp.net") == "6281234567890"
    assert chat_of("6281234567890:12@s.whatsapp.net") == "6281234567890"
    assert chat_of("203551111000101@lid") == "203551111000101@lid"
    assert chat_of("6281234567890") == "6281234567890"


async def test_the_page_is_served_with_a_strict_content_security_policy(gateway):
    _, _, client = gateway
    for path in ("/", "/sim.js", "/sim.css"):
        answer = await client.get(path)
        assert answer.status_code == 200
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
    page = (await client.get("/")).text
    assert "<style" not in page and " style=" not in page and "onclick" not in page
    script = (await client.get("/sim.js")).text
    assert "innerHTML" not in script and "eval(" not in script
