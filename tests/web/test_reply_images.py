"""A turn that asks for a photo (`ReplyImage`) gets it to the chat: the session commits it with
the turn, the outbox sends it, and WhatsApp Web API (the simulator) downloads it from the
catalog's /media address, as the real gateway does."""

import dataclasses
import io

import pytest
import trio
from PIL import Image

import actors.session
from domain.conversation import Reply
from domain.replies import ReplyImage
from showroom.app import serve
from storage.media import MediaStore
from tests.web.conftest import make_settings

BUYER = "6285711112222"


# the simulator runs in the program: it fetches from this server, even when the catalog's
# public address (the dealer's own host name) is not live yet
@pytest.mark.parametrize("public_url", ["", "https://dealer-not-live-yet.example.test"])
async def test_a_turn_that_shows_a_car_sends_its_photo_between_its_texts(
    tmp_path, monkeypatch, public_url
):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(settings.tenants["demo"], public_url=public_url)
    settings = dataclasses.replace(settings, tenants={"demo": demo})
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "maroon").save(out, "JPEG")
    photo = MediaStore(settings.resolve(settings.media.dir)).put("demo", out.getvalue(), "jpg")
    real_step = actors.session.step

    def showing_a_car(state, received, context):  # what the buyer conversation will do
        if getattr(received, "text", "") != "lihat H01":
            return real_step(state, received, context)
        return state, [
            Reply("Ini Honda Freed 2012 (#H01):"),
            ReplyImage(photo, "Tampak depan"),
            Reply("Harga Rp 145 juta."),
        ]

    monkeypatch.setattr(actors.session, "step", showing_a_car)
    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        simulator, _ = running.simulators["demo"]
        assert await simulator.post_message(BUYER, "lihat H01") == 200
        with trio.fail_after(20):
            sent = await simulator.wait_sent(BUYER, 3)
        nursery.cancel_scope.cancel()
    assert [m.text for m in sent] == [
        "Ini Honda Freed 2012 (#H01):",
        "Tampak depan",
        "Harga Rp 145 juta.",
    ]
    assert not sent[0].image and not sent[2].image
    assert simulator.sent_image_bytes(sent[1]) == out.getvalue()
