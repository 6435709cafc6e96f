"""The adapters' sends against fakes of the gateways (real HTTP servers on loopback ports that
check and answer as the gateways do, tests/gateways/fakes.py): texts and photos reach the
right address, a hidden linked id is answered in its own form, and the gateways' errors are
read as they should be (retry or give up)."""

import io

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import Unreachable
from domain.identity import Identity, IdentityKind
from domain.ports import PhotoToSend
from gateways.base import GatewayConfig
from gateways.registry import make_adapter
from gateways.simulator import Simulator
from tests.gateways.fakes import (
    FakeCloudApi,
    FakeEvolution,
    FakeGateway,
    FakeGoWA,
    FakeWaha,
    serving,
)

SECRET = "k3Jx9-long-enough-webhook-secret"
PHONE = Identity(IdentityKind.PHONE, "6281234567890")
HIDDEN = Identity(IdentityKind.LID, "203551111000101")
CREDENTIALS = {
    "gowa": "admin:s3cret-pass",
    "waha": "waha-key-123",
    "evolution": "B6D711FCDE4D4FD5936544120E713976",
    "cloudapi": "EAAG-token",
}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "darkgreen").save(out, "JPEG")
    return out.getvalue()


PHOTO = jpeg()
PHOTO_PATH = "/media/demo/ab/abcdef-large.jpg"


def fake(kind: str) -> FakeGateway:
    options = {"credential": CREDENTIALS[kind], "on_whatsapp": {PHONE.value}}
    return {"gowa": FakeGoWA, "waha": FakeWaha, "evolution": FakeEvolution}.get(kind, FakeCloudApi)(
        **options
    )


def adapter(kind: str, base_url: str, api_key: str | None = None):
    session = {"waha": "default", "evolution": "showroom-01", "cloudapi": "106540352242922"}
    config = GatewayConfig(
        kind=kind,
        base_url=base_url,
        webhook_secret=SECRET,
        api_key=CREDENTIALS.get(kind, "") if api_key is None else api_key,
        session=session.get(kind, ""),
    )
    return make_adapter(config)


async def send(client, request):
    return await client.send(request)


@pytest.fixture
async def media_url():
    """showroom's /media route, for the gateways that download the photos they send."""

    async def photo(request):
        return Response(PHOTO, media_type="image/jpeg")

    app = Starlette(routes=[Route(PHOTO_PATH, photo)])
    async with serving(app) as url:
        yield url


def photo(media_url: str) -> PhotoToSend:
    return PhotoToSend("abcdef-large.jpg", f"{media_url}{PHOTO_PATH}", "image/jpeg", PHOTO)


@pytest.mark.parametrize(
    ("kind", "phone_address", "hidden_address"),
    [
        ("gowa", "6281234567890@s.whatsapp.net", "203551111000101@lid"),
        ("waha", "6281234567890@s.whatsapp.net", "203551111000101@lid"),
        ("evolution", "6281234567890@s.whatsapp.net", "203551111000101@lid"),
    ],
)
async def test_texts_and_photos_reach_a_phone_and_a_hidden_id(
    kind, phone_address, hidden_address, media_url
):
    gateway = fake(kind)
    async with serving(gateway.app()) as url, httpx.AsyncClient() as client:
        gw = adapter(kind, url)
        results = [
            gw.send_result(await send(client, gw.send_request(PHONE, "Halo"))),
            gw.send_result(await send(client, gw.send_request(HIDDEN, "Halo lagi"))),
            gw.send_result(
                await send(client, gw.image_request(HIDDEN, photo(media_url), "Tampak depan"))
            ),
        ]
    assert all(result.ok for result in results), results
    assert [(d.to, d.text) for d in gateway.delivered] == [
        (phone_address, "Halo"),
        (hidden_address, "Halo lagi"),
        (hidden_address, "Tampak depan"),
    ]
    assert gateway.delivered[2].image == PHOTO  # the bytes themselves: no URL to reach


async def test_gowa_answers_a_hidden_id_as_a_phone_address_with_invalid_jid():
    """What every reply to a LID got before: `<lid>@s.whatsapp.net` is refused for good."""
    gateway = fake("gowa")
    async with serving(gateway.app()) as url, httpx.AsyncClient() as client:
        request = httpx.Request(
            "POST",
            f"{url}/send/message",
            json={"phone": "203551111000101@s.whatsapp.net", "message": "x"},
            headers={
                "Authorization": adapter("gowa", url)
                .send_request(PHONE, "x")
                .headers["authorization"]
            },
        )
        result = adapter("gowa", url).send_result(await send(client, request))
        gateway.connected = False
        not_connected = adapter("gowa", url).send_result(
            await send(client, adapter("gowa", url).send_request(PHONE, "x"))
        )
        wrong_password = adapter("gowa", url, api_key="admin:wrong").send_result(
            await send(client, adapter("gowa", url, api_key="admin:wrong").send_request(PHONE, "x"))
        )
    assert not result.ok and not result.retryable and "INVALID_JID" in result.reason
    assert not not_connected.ok and not_connected.retryable  # heals when the phone is back
    assert not wrong_password.ok and not wrong_password.retryable
    assert gateway.delivered == []


async def test_waha_would_send_a_hidden_ids_digits_to_a_strangers_phone_as_c_us():
    gateway = fake("waha")
    async with serving(gateway.app()) as url, httpx.AsyncClient() as client:
        body = {"session": "default", "chatId": "203551111000101@c.us", "text": "x"}
        headers = {"X-Api-Key": CREDENTIALS["waha"]}
        await client.post(f"{url}/api/sendText", json=body, headers=headers)
        refused = adapter("waha", url, api_key="wrong").send_result(
            await send(client, adapter("waha", url, api_key="wrong").send_request(PHONE, "x"))
        )
        no_file = await client.post(
            f"{url}/api/sendImage",
            json={"session": "default", "chatId": "6281234567890@c.us", "file": {}},
            headers=headers,
        )
    assert gateway.delivered[0].to == "203551111000101@s.whatsapp.net"  # the old bug
    assert not refused.ok and not refused.retryable
    assert no_file.status_code == 422


async def test_evolution_takes_bare_digits_for_a_phone_that_must_be_on_whatsapp():
    gateway = fake("evolution")
    async with serving(gateway.app()) as url, httpx.AsyncClient() as client:
        evolution = adapter("evolution", url)
        as_phone = httpx.Request(
            "POST",
            evolution.send_request(PHONE, "x").url,
            headers={"apikey": CREDENTIALS["evolution"]},
            json={"number": "203551111000101", "text": "x"},  # a LID's digits: the old bug
        )
        result = evolution.send_result(await send(client, as_phone))
        bad_media = await client.post(
            f"{url}/message/sendMedia/showroom-01",
            json={"number": "6281234567890", "mediatype": "image", "media": "not base64!"},
            headers={"apikey": CREDENTIALS["evolution"]},
        )
    assert not result.ok and not result.retryable and '"exists":false' in result.reason
    assert bad_media.status_code == 400 and gateway.delivered == []


@pytest.mark.parametrize("kind", ["whatsapp-web-api", "cloudapi"])
async def test_gateways_that_download_photos_get_showrooms_url_of_it(kind, media_url):
    if kind == "cloudapi":
        gateway: FakeGateway | Simulator = fake(kind)
        app = gateway.app()
    else:
        gateway = Simulator()
        app = gateway.app()
    async with serving(app) as url, httpx.AsyncClient() as client:
        gw = adapter(kind, url)
        if kind == "cloudapi":
            gw.base_url = url  # the fake stands where the Graph API is
        assert gw.takes_image_url
        text = gw.send_result(await send(client, gw.send_request(PHONE, "Halo")))
        image = gw.send_result(
            await send(client, gw.image_request(PHONE, photo(media_url), "Tampak depan"))
        )
        missing = PhotoToSend("gone.jpg", f"{media_url}/media/demo/ab/gone.jpg")
        broken = gw.send_result(await send(client, gw.image_request(PHONE, missing, "x")))
        with pytest.raises(Unreachable):  # neither can address a hidden id
            gw.image_request(HIDDEN, photo(media_url), "x")
    assert text.ok and image.ok
    assert not broken.ok and not broken.retryable  # a photo it cannot download
    if kind == "cloudapi":
        sent = [(d.to, d.text, d.image) for d in gateway.delivered]
    else:
        sent = [
            (m.to, m.text, gateway.sent_image_bytes(m) if m.image else b"") for m in gateway.sent
        ]
    assert sent == [("6281234567890", "Halo", b""), ("6281234567890", "Tampak depan", PHOTO)]


async def test_cloudapi_refuses_a_wrong_token_for_good():
    gateway = fake("cloudapi")
    async with serving(gateway.app()) as url, httpx.AsyncClient() as client:
        cloud = adapter("cloudapi", url, api_key="expired")
        cloud.base_url = url
        result = cloud.send_result(await send(client, cloud.send_request(PHONE, "x")))
    assert not result.ok and not result.retryable and "190" in result.reason
