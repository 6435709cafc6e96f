"""Every gateway sample payload parses to the event it stands for; signatures; sends."""

import json
import time
from pathlib import Path

import httpx
import jwt
import pytest

from domain.errors import BadMediaAnswer, Unreachable
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, IdentityKind
from gateways.base import GatewayConfig, hmac_hex
from gateways.errors import BadPayload, GatewayConfigError
from gateways.registry import make_adapter

PAYLOADS = Path(__file__).parent / "payloads"  # copies of the shared gateway samples
SECRET = "k3Jx9-long-enough-webhook-secret"
BUDI = Identity(IdentityKind.PHONE, "6281234567890")
UPLOAD = "/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt"


def adapter(kind: str, **options):
    settings = {"webhook_secret": SECRET, "api_key": "key-123", "session": "default", **options}
    return make_adapter(GatewayConfig(kind=kind, **settings))


def sample(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def parse(kind: str, name: str) -> list[InboundEvent]:
    return adapter(kind).parse("dealer", sample(name))


def one(kind: str, name: str) -> InboundEvent:
    events = parse(kind, name)
    assert len(events) == 1
    event = events[0]
    assert InboundEvent.from_json(event.to_json()) == event  # survives the inbox
    return event


# -- WhatsApp Web API --------------------------------------------------------------------


def test_wwa_text():
    event = one("whatsapp-web-api", "whatsapp-web-api-text.json")
    assert (event.sender, event.chat_kind, event.kind, event.text) == (
        BUDI,
        ChatKind.DIRECT,
        EventKind.TEXT,
        UPLOAD,
    )
    assert event.dedupe_key.startswith("wwa:body:") and len(event.dedupe_key) == 9 + 64
    assert event.sent_at == pytest.approx(1761642080.482913)


def test_wwa_image_is_keyed_by_its_message_id_and_points_at_the_gateway_file():
    event = one("whatsapp-web-api", "whatsapp-web-api-image.json")
    assert event.kind is EventKind.IMAGE and event.text == "Tampak depan"
    assert event.dedupe_key == "wwa:msg:AC5F7BEAF90508EF9F3F79160FFD634F"
    assert event.media == MediaRef(
        locator="/images/AC5F7BEAF90508EF9F3F79160FFD634F.jpg",
        mimetype="image/jpeg",
        expected_bytes=191346,
        width=1600,
        height=1200,
    )
    request = adapter("whatsapp-web-api").media_request(event.media)
    assert str(request.url) == ("http://127.0.0.1:8080/images/AC5F7BEAF90508EF9F3F79160FFD634F.jpg")


def test_wwa_the_same_text_sent_twice_gets_two_keys_but_a_replayed_post_one():
    body = json.loads(sample("whatsapp-web-api-text.json"))
    again = dict(body, time="2025-10-28T09:05:00.000000001Z")
    wwa = adapter("whatsapp-web-api")
    first = wwa.parse("d", json.dumps(body).encode())[0].dedupe_key
    assert wwa.parse("d", json.dumps(body).encode())[0].dedupe_key == first
    assert wwa.parse("d", json.dumps(again).encode())[0].dedupe_key != first


@pytest.mark.parametrize(
    "change",
    [
        {"chat": "120363025246125888@g.us"},
        {"chat": "status@broadcast", "sender": "6281234567890@s.whatsapp.net"},
        {"chat": "120363144038483540@newsletter"},
        {"event": "receipt"},
        {"attachment": {"type": "unknown"}, "message": "Non-text message received"},
        {"message": ""},
    ],
)
def test_wwa_skips_groups_broadcasts_receipts_and_reactions(change):
    body = dict(json.loads(sample("whatsapp-web-api-text.json")), **change)
    assert adapter("whatsapp-web-api").parse("d", json.dumps(body).encode()) == []


def test_wwa_a_video_is_an_unsupported_event():
    body = dict(
        json.loads(sample("whatsapp-web-api-text.json")),
        message="Video received",
        attachment={"type": "video"},
    )
    [event] = adapter("whatsapp-web-api").parse("d", json.dumps(body).encode())
    assert event.kind is EventKind.UNSUPPORTED


def test_wwa_device_suffix_and_lid_senders():
    body = json.loads(sample("whatsapp-web-api-text.json"))
    body["sender"] = "6281234567890:12@s.whatsapp.net"
    assert adapter("whatsapp-web-api").parse("d", json.dumps(body).encode())[0].sender == BUDI
    body["sender"] = body["chat"] = "251556368777322@lid"
    event = adapter("whatsapp-web-api").parse("d", json.dumps(body).encode())[0]
    assert event.sender == Identity(IdentityKind.LID, "251556368777322")


def test_wwa_path_token_is_its_signature():
    wwa = adapter("whatsapp-web-api")
    body = sample("whatsapp-web-api-text.json")
    assert wwa.verify({}, body, SECRET)
    assert not wwa.verify({}, body, SECRET[:-1] + "x")
    assert not wwa.verify({}, body, None)


def test_wwa_send_and_its_failure_detection():
    wwa = adapter("whatsapp-web-api")
    expected = json.loads(sample("whatsapp-web-api-send-request.json"))
    request = wwa.send_request(BUDI, expected["message"])
    assert request.method == "POST" and str(request.url) == "http://127.0.0.1:8080/send"
    assert json.loads(request.content) == expected
    ok = httpx.Response(200, json={"success": True, "message": "sent", "data": {}})
    not_connected = httpx.Response(200, json={"success": False, "message": "not connected"})
    bad_number = httpx.Response(200, json={"success": False, "message": "invalid number"})
    assert wwa.send_result(ok).ok
    assert not wwa.send_result(not_connected).ok and wwa.send_result(not_connected).retryable
    assert not wwa.send_result(bad_number).ok and not wwa.send_result(bad_number).retryable
    assert wwa.send_result(httpx.Response(502)).retryable


def test_wwa_health():
    health = adapter("whatsapp-web-api").health(
        httpx.Response(200, content=sample("whatsapp-web-api-health.json"))
    )
    assert health == {"reachable": True, "version": "v1.6.0", "paired": True, "connected": True}


# -- GoWA --------------------------------------------------------------------------------


def test_gowa_text_with_its_lid_alternate():
    event = one("gowa", "gowa-text.json")
    assert (event.sender, event.kind, event.text) == (BUDI, EventKind.TEXT, UPLOAD)
    assert event.dedupe_key == "gowa:3EB0C127D7BACC83D6A1"
    assert event.alternates == (Identity(IdentityKind.LID, "251556368777322"),)
    assert event.sender_name == "Budi Mobilindo"


def test_gowa_images_with_and_without_caption():
    captioned = one("gowa", "gowa-image.json")
    assert captioned.kind is EventKind.IMAGE and captioned.text == "Tampak depan"
    assert captioned.media.locator == (
        "/statics/media/1761642089-ad9e37ac-c658-4fe5-8d25-ba4a3f4d58fd.jpeg"
    )
    bare = one("gowa", "gowa-image-nocaption.json")
    assert bare.kind is EventKind.IMAGE and bare.text == ""
    assert bare.dedupe_key == "gowa:3EB0C127D7BACC83D6A4"


def test_gowa_gives_own_messages_as_the_chats_and_skips_other_events():
    body = json.loads(sample("gowa-text.json"))
    gowa = adapter("gowa")
    body["payload"].update(is_from_me=True, **{"from": "6285712345678@s.whatsapp.net"})
    [own] = gowa.parse("d", json.dumps(body).encode())
    assert own.from_me and own.sender == BUDI and own.kind is EventKind.TEXT
    assert own.text == body["payload"]["body"]
    body["payload"]["chat_id"] = "120363025246125888@g.us"
    assert gowa.parse("d", json.dumps(body).encode()) == []  # a group: nothing
    assert gowa.parse("d", b'{"event": "message.ack", "payload": {}}') == []


def test_gowa_signature_vector_from_the_reference():
    gowa = make_adapter(GatewayConfig(kind="gowa", webhook_secret="Xq7-random-webhook-token-204"))
    body = b'{"event":"message"}'
    assert hmac_hex("sha256", "secret", body) == (
        "224d011e83a8b6cd84c326b1cde108c033ca5b12a0d26c693329203600a3a777"
    )
    good = "sha256=" + hmac_hex("sha256", "Xq7-random-webhook-token-204", body)
    assert gowa.verify({"x-hub-signature-256": good}, body, None)
    flipped = body.replace(b"message", b"messagf")
    assert not gowa.verify({"x-hub-signature-256": good}, flipped, None)
    assert not gowa.verify({}, body, None)


def test_gowa_default_secret_is_refused_at_start():
    with pytest.raises(GatewayConfigError, match="webhook_secret"):
        make_adapter(GatewayConfig(kind="gowa", webhook_secret="secret"))


def test_gowa_send():
    expected = json.loads(sample("gowa-send-request.json"))
    request = adapter("gowa", api_key="admin:pass").send_request(BUDI, expected["message"])
    del expected["reply_message_id"]  # replies are not threaded
    assert json.loads(request.content) == expected
    assert request.headers["authorization"].startswith("Basic ")
    assert (
        adapter("gowa")
        .send_result(httpx.Response(200, content=sample("gowa-send-response.json")))
        .ok
    )
    assert (
        not adapter("gowa").send_result(httpx.Response(400, json={"code": "INVALID_JID"})).retryable
    )
    assert adapter("gowa").send_result(httpx.Response(504, json={})).retryable


# -- WAHA --------------------------------------------------------------------------------


def test_waha_text_keyed_on_the_whatsapp_message_id():
    event = one("waha", "waha-text.json")
    assert (event.sender, event.kind, event.text) == (BUDI, EventKind.TEXT, UPLOAD)
    assert event.dedupe_key == "waha:3EB0C767D26A1D8D6A5E"


def test_waha_image_keeps_only_the_path_of_the_media_url():
    event = one("waha", "waha-image.json")
    assert event.kind is EventKind.IMAGE and event.text == "Tampak depan"
    assert event.media.locator == (
        "/api/files/default/false_6281234567890@c.us_3EB0AA25E8847C7A906E29.jpeg"
    )
    request = adapter("waha", base_url="http://waha:3000").media_request(event.media)
    assert request.url.host == "waha" and request.headers["x-api-key"] == "key-123"


def test_waha_media_that_the_gateway_could_not_download():
    event = one("waha", "waha-image-media-not-downloaded.json")
    assert event.kind is EventKind.IMAGE
    assert event.media.failed == "Request failed with status code 403"


def test_waha_same_message_under_lid_and_phone_chat_has_one_key():
    body = json.loads(sample("waha-text.json"))
    lid = json.loads(json.dumps(body).replace("6281234567890@c.us", "251556368777322@lid"))
    waha = adapter("waha")
    assert (
        waha.parse("d", json.dumps(body).encode())[0].dedupe_key
        == waha.parse("d", json.dumps(lid).encode())[0].dedupe_key
    )


def test_waha_signature_vector_from_its_documentation():
    body = b'{"event":"message","session":"default","engine":"WEBJS"}'
    expected = (
        "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17"
        "a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"
    )
    assert hmac_hex("sha512", "my-secret-key", body) == expected
    waha = make_adapter(GatewayConfig(kind="waha", webhook_secret="my-secret-key-long-enough"))
    good = hmac_hex("sha512", "my-secret-key-long-enough", body)
    assert waha.verify({"x-webhook-hmac": good}, body, None)
    assert not waha.verify({"x-webhook-hmac": good}, body[:-2] + b"X}", None)
    assert not waha.verify({}, body, None)


def test_waha_send_matches_the_sample_request():
    request = adapter("waha").send_request(
        BUDI, "Foto diterima (3). Kirim foto lagi atau ketik *selesai*."
    )
    expected = json.loads(sample("waha-send-request.json"))
    del expected["reply_to"]
    assert json.loads(request.content) == expected


# -- Evolution ---------------------------------------------------------------------------


def test_evolution_text():
    event = one("evolution", "evolution-text.json")
    assert (event.sender, event.kind, event.text) == (BUDI, EventKind.TEXT, UPLOAD)
    assert event.dedupe_key == "evo:3EB0C767D26A1D8D6A5E"
    assert event.sent_at == 1761642080


def test_evolution_image_comes_inline():
    event = one("evolution", "evolution-image.json")
    assert event.kind is EventKind.IMAGE and event.text == "Tampak depan"
    assert event.media.locator == "inline" and event.media.inline_b64.startswith("/9j/")
    assert event.media.expected_bytes == 191346
    assert adapter("evolution", session="showroom-01").media_request(event.media) is None


def test_evolution_without_base64_fetches_through_the_api():
    body = json.loads(sample("evolution-image.json"))
    del body["data"]["message"]["base64"]
    event = adapter("evolution").parse("d", json.dumps(body).encode())[0]
    request = adapter("evolution", session="showroom-01").media_request(event.media)
    assert request.url.path == "/chat/getBase64FromMediaMessage/showroom-01"
    assert json.loads(request.content) == json.loads(sample("evolution-getbase64-request.json"))


def test_evolution_gives_own_messages_as_the_chats_and_uses_the_phone_of_a_lid_chat():
    body = json.loads(sample("evolution-text.json"))
    body["data"]["key"]["fromMe"] = True
    [own] = adapter("evolution").parse("d", json.dumps(body).encode())
    assert own.from_me and own.sender == BUDI and own.dedupe_key.startswith("evo:")
    body["data"]["key"].update(
        fromMe=False, remoteJid="251556368777322@lid", remoteJidAlt="6281234567890@s.whatsapp.net"
    )
    event = adapter("evolution").parse("d", json.dumps(body).encode())[0]
    assert event.sender == BUDI
    assert event.alternates == (Identity(IdentityKind.LID, "251556368777322"),)


def test_evolution_static_header():
    evolution = adapter("evolution")
    assert evolution.verify({"x-webhook-token": SECRET}, b"{}", None)
    assert not evolution.verify({"x-webhook-token": SECRET + "x"}, b"{}", None)
    assert not evolution.verify({}, b"{}", None)


def evolution_token(key: str = SECRET, age_s: float = 0, **claims) -> str:
    issued = int(time.time() - age_s)
    body = {"app": "evolution", "action": "webhook", "iat": issued, "exp": issued + 600, **claims}
    return jwt.encode(body, key, algorithm="HS256")


def test_evolution_jwt_key():
    evolution = adapter("evolution", webhook_header="authorization")
    assert evolution.verify({"authorization": f"Bearer {evolution_token()}"}, b"{}", None)
    late_retry = evolution_token(age_s=1800)  # reused by a retry after its 10 minutes
    assert evolution.verify({"authorization": f"Bearer {late_retry}"}, b"{}", None)
    refused = [
        evolution_token(key=SECRET + "x"),  # not signed with our secret
        evolution_token(age_s=6 * 3600),  # hours old: a replay, not a retry
        evolution_token(app="someone-else"),
        evolution_token(action="other"),
        jwt.encode({"app": "evolution", "action": "webhook"}, SECRET, algorithm="HS256"),
        jwt.encode({"app": "evolution", "action": "webhook"}, "", algorithm="none"),
        "a.b.c",
    ]
    for token in refused:
        assert not evolution.verify({"authorization": f"Bearer {token}"}, b"{}", None), token
    assert not evolution.verify({}, b"{}", None)


def test_evolution_send_matches_the_sample_request():
    expected = json.loads(sample("evolution-send-request.json"))
    request = adapter("evolution", session="showroom-01").send_request(BUDI, expected["text"])
    assert request.url.path == "/message/sendText/showroom-01"
    sent = json.loads(request.content)
    assert sent.keys() == expected.keys()
    assert (sent["number"], sent["text"]) == (expected["number"], expected["text"])
    assert 1500 <= sent["delay"] <= 6000  # Evolution shows "typing..." that long
    assert request.headers["apikey"] == "key-123"


# -- Meta Cloud API ----------------------------------------------------------------------


def test_cloudapi_text_with_its_bsuid():
    event = one("cloudapi", "cloudapi-text.json")
    assert (event.sender, event.kind, event.text) == (BUDI, EventKind.TEXT, UPLOAD)
    assert event.dedupe_key.startswith("meta:wamid.")
    assert event.alternates == (Identity(IdentityKind.BSUID, "ID.13491208655302741918"),)
    assert event.sender_name == "Budi Mobilindo"


def test_cloudapi_image_is_a_media_id_resolved_in_two_steps():
    event = one("cloudapi", "cloudapi-image.json")
    assert event.kind is EventKind.IMAGE and event.media.locator == "1283920583112475"
    cloud = adapter("cloudapi")
    step1 = cloud.media_request(event.media)
    assert str(step1.url) == "https://graph.facebook.com/v21.0/1283920583112475"
    assert step1.headers["authorization"] == "Bearer key-123"
    step2 = cloud.media_download(
        httpx.Response(200, content=sample("cloudapi-media-url-response.json"))
    )
    assert step2.url.host == "lookaside.fbsbx.com"
    assert step2.headers["authorization"] == "Bearer key-123"


def test_cloudapi_signature_vector_and_handshake():
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    assert hmac_hex("sha256", "app-secret", body) == (
        "d3e4f9da0ce6c71ab3dba55929b8eeeee2455349e534924ead19f98d143e904f"
    )
    cloud = adapter("cloudapi", verify_token="verify-me-please")
    good = "sha256=" + hmac_hex("sha256", SECRET, body)
    assert cloud.verify({"x-hub-signature-256": good}, body, None)
    assert not cloud.verify({"x-hub-signature-256": good}, body + b" ", None)
    assert cloud.parse("d", body) == []
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me-please",
        "hub.challenge": "1158201444",
    }
    assert cloud.handshake(query) == "1158201444"
    assert cloud.handshake(dict(query, **{"hub.verify_token": "wrong"})) is None


def test_cloudapi_statuses_and_groups_make_no_event():
    body = json.loads(sample("cloudapi-text.json"))
    value = body["entry"][0]["changes"][0]["value"]
    value["statuses"] = [{"id": "wamid.x", "status": "failed"}]
    value["messages"][0]["group_id"] = "120363025246125888"
    assert adapter("cloudapi").parse("d", json.dumps(body).encode()) == []


def test_cloudapi_send_matches_the_sample_and_reads_errors():
    cloud = adapter("cloudapi", session="106540352242922")
    request = cloud.send_request(
        BUDI, "Iklan sudah tayang: https://katalog.example.id/mobil/honda-freed-psd-2012-a01"
    )
    assert request.url.path == "/v21.0/106540352242922/messages"
    assert json.loads(request.content) == json.loads(sample("cloudapi-send-request.json"))
    assert cloud.send_result(httpx.Response(200, content=sample("cloudapi-send-response.json"))).ok
    limited = httpx.Response(400, json={"error": {"code": 131056, "message": "pair rate"}})
    assert cloud.send_result(limited).retryable
    window = httpx.Response(400, json={"error": {"code": 131047, "message": "24 h"}})
    assert not cloud.send_result(window).retryable


# -- every adapter -----------------------------------------------------------------------


HIDDEN = Identity(IdentityKind.LID, "203551111000101")


@pytest.mark.parametrize(
    ("kind", "field", "address"),
    [
        ("gowa", "phone", "203551111000101@lid"),  # not @s.whatsapp.net: INVALID_JID
        ("waha", "chatId", "203551111000101@lid"),  # not @c.us: a phone number
        ("evolution", "number", "203551111000101@lid"),  # not bare digits: a phone number
    ],
)
def test_a_hidden_id_is_answered_in_its_own_form(kind, field, address):
    request = adapter(kind).send_request(HIDDEN, "halo")
    assert json.loads(request.content)[field] == address
    phone = json.loads(adapter(kind).send_request(BUDI, "halo").content)[field]
    assert phone.startswith("6281234567890")


@pytest.mark.parametrize("kind", ["whatsapp-web-api", "cloudapi"])
def test_a_gateway_that_cannot_address_a_hidden_id_says_so(kind):
    with pytest.raises(Unreachable):
        adapter(kind).send_request(HIDDEN, "halo")


def test_gateway_specifics_of_media_and_handshake_live_in_the_adapters(tmp_path):
    wwa, evolution = adapter("whatsapp-web-api"), adapter("evolution")
    photo = MediaRef(locator="/images/AC5F7BEAF90508EF9F3F79160FFD634F.jpg")
    assert wwa.local_file(tmp_path, photo) == tmp_path / "AC5F7BEAF90508EF9F3F79160FFD634F.jpg"
    assert wwa.local_file(tmp_path, MediaRef(locator="/images/../../etc/passwd")) is None
    assert adapter("gowa").local_file(tmp_path, photo) is None  # GoWA's folder is not watched
    answer = json.dumps({"mimetype": "image/jpeg", "base64": "/9j/4AAQ"}).encode()
    assert evolution.media_bytes(answer) == b"\xff\xd8\xff\xe0\x00\x10"
    with pytest.raises(BadMediaAnswer):
        evolution.media_bytes(b'{"message": "not found"}')
    assert wwa.media_bytes(b"\xff\xd8 a file") == b"\xff\xd8 a file"
    assert wwa.handshake({"hub.mode": "subscribe"}) is None and not wwa.answers_handshake
    assert adapter("cloudapi").answers_handshake


@pytest.mark.parametrize("kind", ["whatsapp-web-api", "gowa", "waha", "evolution", "cloudapi"])
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe",
        b'{"event": "message", "payload": 5}',
        b'{"event": "message", "chat": 5}',
    ],
)
def test_garbage_is_a_bad_payload_never_a_crash(kind, body):
    try:
        events = adapter(kind).parse("d", body)
    except BadPayload as refused:
        assert str(refused)  # a short reason for the 400 answer
    else:
        assert events == []


@pytest.mark.parametrize("kind", ["whatsapp-web-api", "gowa", "waha", "evolution", "cloudapi"])
def test_a_weak_secret_is_refused_for_every_gateway(kind):
    for weak in ("", "secret", "short"):
        with pytest.raises(GatewayConfigError):
            make_adapter(GatewayConfig(kind=kind, webhook_secret=weak))


def test_every_shared_sample_is_covered_by_a_test():
    names = {p.name for p in PAYLOADS.glob("*.json")}
    source = Path(__file__).read_text()
    assert {n for n in names if f'"{n}"' not in source} == set()


# -- albums and HD copies ----------------------------------------------------------------


def evolution_message(message_type: str, message: dict) -> bytes:
    body = json.loads(sample("evolution-text.json"))
    body["data"].update(messageType=message_type, message=message)
    return json.dumps(body).encode()


def test_evolution_album_parent_is_no_message_of_its_own():
    album = {"albumMessage": {"expectedImageCount": 3}, "messageContextInfo": {}}
    assert adapter("evolution").parse("d", evolution_message("albumMessage", album)) == []


def test_evolution_hd_copy_is_the_same_photo_and_album_children_are_photos():
    image = json.loads(sample("evolution-image.json"))["data"]["message"]["imageMessage"]
    image.pop("jpegThumbnail", None)

    def wrapped(association_type):
        association = {"associationType": association_type, "parentMessageKey": {"id": "SD1"}}
        inner = {"imageMessage": image, "messageContextInfo": {"messageAssociation": association}}
        return {"associatedChildMessage": {"message": inner}}

    evolution = adapter("evolution", session="showroom-01")
    [hd] = evolution.parse("d", evolution_message("associatedChildMessage", wrapped(10)))
    assert hd.kind is EventKind.IMAGE and hd.dedupe_key == "evo:SD1"  # the SD photo's key
    [child] = evolution.parse("d", evolution_message("associatedChildMessage", wrapped(1)))
    assert child.kind is EventKind.IMAGE and child.dedupe_key == "evo:3EB0C767D26A1D8D6A5E"
    fetch = json.loads(evolution.media_request(child.media).content)
    assert fetch["message"]["message"]["imageMessage"]["mediaKey"] == image["mediaKey"]
    assert fetch["message"]["key"]["id"] == "3EB0C767D26A1D8D6A5E"


def test_waha_album_parents_of_every_engine_are_skipped():
    body = json.loads(sample("waha-text.json"))
    body["payload"].update(body="", hasMedia=True, media=None)  # else a failed photo
    for engine_data in ({"type": "album"}, {"message": {"albumMessage": {}}}):
        body["payload"]["_data"] = engine_data
        assert adapter("waha").parse("d", json.dumps(body).encode()) == []


def test_waha_skips_what_its_api_sent_and_gives_a_persons_own_message_as_the_chats():
    own = {
        "event": "message.any",
        "session": "default",
        "payload": {
            "id": "true_6281234567890@c.us_3EB0C767D26A1D8D6A56",
            "timestamp": 1761642080,
            "from": "6281234567890@c.us",
            "fromMe": True,
            "source": "api",
            "body": "Foto diterima (3).",
            "to": None,
            "hasMedia": False,
        },
    }
    waha = adapter("waha")
    assert waha.parse("d", json.dumps(own).encode()) == []  # the bot's own send
    own["payload"].update(source="app", body="Halo kak, saya Budi dari showroom")
    [event] = waha.parse("d", json.dumps(own).encode())
    assert event.from_me and event.sender == BUDI and event.text.startswith("Halo kak")
    assert event.dedupe_key == "waha:3EB0C767D26A1D8D6A56"
    own["payload"].update(**{"from": "6285712345678@c.us", "to": "6281234567890@c.us"})
    [webjs] = waha.parse("d", json.dumps(own).encode())  # WEBJS: from is me, to the chat
    assert webjs.sender == BUDI
    incoming = {"event": "message.any", "payload": {**own["payload"], "fromMe": False}}
    incoming["payload"]["from"] = "6281234567890@c.us"
    [message] = waha.parse("d", json.dumps(incoming).encode())
    assert not message.from_me and message.dedupe_key == event.dedupe_key  # stored once


def test_cloudapi_gives_app_echoes_of_a_coexistence_number_as_the_customers_chat():
    echo = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "smb_message_echoes",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            "message_echoes": [
                                {
                                    "from": "15550783881",
                                    "to": "+62 812-3456-7890",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0",
                                    "timestamp": "1739321024",
                                    "type": "text",
                                    "text": {"body": "Bisa kak, besok jam 10 ya"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    [event] = adapter("cloudapi").parse("d", json.dumps(echo).encode())
    assert event.from_me and event.sender == BUDI and event.text == "Bisa kak, besok jam 10 ya"


def test_the_simulators_own_message_is_the_chats():
    body = {
        "event": "message",
        "message": "Halo kak, saya sales-nya",
        "sender": "6280000000001@s.whatsapp.net",
        "chat": "6281234567890@s.whatsapp.net",
        "time": "2025-10-28T16:01:20.482913301+07:00",
        "from_me": True,
    }
    [event] = adapter("whatsapp-web-api").parse("d", json.dumps(body).encode())
    assert event.from_me and event.sender == BUDI
