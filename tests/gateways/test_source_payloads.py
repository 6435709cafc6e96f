"""Payloads built field by field from each gateway's own source (payloads/source/, each field's
origin in its `_source`), written as that gateway's runtime writes JSON (wire.py) and signed
the way it signs: every one is accepted, and becomes the event it stands for (or none)."""

import json
from pathlib import Path

import pytest

from domain.events import EventKind, InboundEvent
from domain.identity import Identity, IdentityKind
from gateways.base import GatewayConfig, hmac_hex
from gateways.registry import make_adapter
from tests.gateways import wire

SOURCE = Path(__file__).parent / "payloads" / "source"
SECRET = "k3Jx9-long-enough-webhook-secret"
BUDI = Identity(IdentityKind.PHONE, "6281234567890")
HIDDEN = Identity(IdentityKind.LID, "203551111000101")
BSUID = Identity(IdentityKind.BSUID, "ID.13491208655302741918")
UPLOAD = "/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt"
CAPTION = "Harga <145jt> & nego, cek /katalog 👍"

TEXT, IMAGE, NOTHING = EventKind.TEXT, EventKind.IMAGE, None
OWN = "own"  # a text from the number itself (`from_me`)
# (gateway, case) -> (kind of the one event or None, its sender, its alternates, its text)
EXPECTED = {
    ("whatsapp-web-api", "companion_device"): (TEXT, BUDI, (), UPLOAD),
    ("whatsapp-web-api", "lid_only"): (TEXT, HIDDEN, (), "halo, mobilnya masih ada?"),
    ("whatsapp-web-api", "group"): NOTHING,
    ("whatsapp-web-api", "status"): NOTHING,
    ("whatsapp-web-api", "album_parent"): NOTHING,
    ("whatsapp-web-api", "image_caption"): (IMAGE, BUDI, (), CAPTION),
    ("whatsapp-web-api", "image_no_caption"): (IMAGE, BUDI, (), ""),
    ("whatsapp-web-api", "image_download_failed"): (IMAGE, BUDI, (), ""),
    ("gowa", "companion_device"): (TEXT, BUDI, (), UPLOAD),
    ("gowa", "lid_with_phone"): (TEXT, BUDI, (HIDDEN,), "halo"),
    ("gowa", "lid_only"): (TEXT, HIDDEN, (), "halo"),
    ("gowa", "group"): NOTHING,
    ("gowa", "status"): NOTHING,
    # the number's own message: an event of the chat, `from_me` (the session tells the bot's
    # own sends from a person's by the outbox); WAHA marks its API's sends itself (source api)
    ("gowa", "own_echo"): (OWN, BUDI, (), "Foto diterima (3)."),
    ("gowa", "album_parent"): NOTHING,
    ("gowa", "image_caption"): (IMAGE, BUDI, (), CAPTION),
    ("gowa", "image_no_caption"): (IMAGE, BUDI, (), ""),
    ("gowa", "image_download_failed"): NOTHING,
    ("gowa", "image_download_failed_caption"): (TEXT, BUDI, (), "Tampak depan"),
    ("waha", "companion_device"): (TEXT, BUDI, (), UPLOAD),
    ("waha", "lid_with_phone"): (TEXT, BUDI, (HIDDEN,), "halo"),
    ("waha", "lid_only"): (TEXT, HIDDEN, (), "halo"),
    ("waha", "group"): NOTHING,
    ("waha", "status"): NOTHING,
    ("waha", "own_echo"): NOTHING,
    ("waha", "album_parent"): NOTHING,
    ("waha", "image_caption"): (IMAGE, BUDI, (), CAPTION),
    ("waha", "image_no_caption"): (IMAGE, BUDI, (), ""),
    ("waha", "image_download_failed"): (IMAGE, BUDI, (), ""),
    ("waha", "hd_copy"): (IMAGE, BUDI, (), ""),
    ("evolution", "companion_device"): (TEXT, BUDI, (HIDDEN,), UPLOAD),
    ("evolution", "lid_with_phone"): (TEXT, BUDI, (HIDDEN,), "halo"),
    ("evolution", "lid_only"): (TEXT, HIDDEN, (), "halo"),
    ("evolution", "group"): NOTHING,
    ("evolution", "status"): NOTHING,
    ("evolution", "own_echo"): (OWN, BUDI, (), "Foto diterima (3)."),
    ("evolution", "album_parent"): NOTHING,
    ("evolution", "image_caption"): (IMAGE, BUDI, (), CAPTION),
    ("evolution", "image_no_caption"): (IMAGE, BUDI, (), ""),
    ("evolution", "image_download_failed"): (IMAGE, BUDI, (), ""),
    ("evolution", "hd_copy"): (IMAGE, BUDI, (), ""),
    ("cloudapi", "text"): (TEXT, BUDI, (BSUID,), UPLOAD),
    ("cloudapi", "bsuid_only"): (TEXT, BSUID, (), "halo"),
    ("cloudapi", "group"): NOTHING,
    ("cloudapi", "status"): NOTHING,
    ("cloudapi", "image_caption"): (IMAGE, BUDI, (BSUID,), CAPTION),
    ("cloudapi", "image_no_caption"): (IMAGE, BUDI, (BSUID,), ""),
}


def document(gateway: str) -> dict:
    return json.loads((SOURCE / f"{gateway}.json").read_text(encoding="utf-8"))


def adapter(gateway: str):
    config = GatewayConfig(
        kind=gateway,
        webhook_secret=SECRET,
        api_key="key-123",
        session={"evolution": "showroom-01"}.get(gateway, "default"),
    )
    return make_adapter(config)


def on_the_wire(gateway: str, case: str) -> tuple[bytes, dict[str, str], str | None]:
    """The body as the gateway's runtime writes it, and how the gateway proves it."""
    doc = document(gateway)
    body = wire.RUNTIMES[doc["_source"]["runtime"]](doc["cases"][case]["payload"])
    if gateway in ("gowa", "cloudapi"):
        return body, {"x-hub-signature-256": "sha256=" + hmac_hex("sha256", SECRET, body)}, None
    if gateway == "waha":
        return body, {"x-webhook-hmac": hmac_hex("sha512", SECRET, body)}, None
    if gateway == "evolution":
        return body, {"x-webhook-token": SECRET}, None
    return body, {}, SECRET  # WhatsApp Web API: the secret in the webhook's path


def events(gateway: str, case: str) -> list[InboundEvent]:
    body, headers, path_token = on_the_wire(gateway, case)
    gw = adapter(gateway)
    assert gw.accepts(headers, body, path_token), f"{gateway} {case}: signature refused"
    found = gw.parse("dealer", body)
    for event in found:
        assert InboundEvent.from_json(event.to_json()) == event  # survives the inbox
    return found


@pytest.mark.parametrize(("gateway", "case"), sorted(EXPECTED))
def test_each_payload_from_the_source_becomes_its_event(gateway, case):
    found = events(gateway, case)
    expected = EXPECTED[(gateway, case)]
    if expected is NOTHING:
        assert found == []
        return
    kind, sender, alternates, text = expected
    [event] = found
    assert event.from_me == (kind == OWN)
    kind = TEXT if kind == OWN else kind
    assert (event.kind, event.sender, event.alternates, event.text) == (
        kind,
        sender,
        alternates,
        text,
    )


def test_every_source_payload_is_expected_and_names_where_its_fields_come_from():
    cases = set()
    for path in SOURCE.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        source = doc["_source"]
        assert source["runtime"] in wire.RUNTIMES, path.name
        assert source["repository"] and source["fields"] and source["serialisation"], path.name
        cases |= {(path.stem, case) for case in doc["cases"]}
    assert cases == set(EXPECTED)


@pytest.mark.parametrize(
    ("gateway", "written_as"),
    [
        ("gowa", "\\u003c145jt\\u003e \\u0026 nego"),  # Go escapes HTML characters
        ("whatsapp-web-api", "\\u003c145jt\\u003e \\u0026 nego"),
        ("waha", "<145jt> & nego, cek /katalog 👍"),  # JSON.stringify leaves them be
        ("evolution", "<145jt> & nego, cek /katalog 👍"),
        ("cloudapi", "<145jt> & nego, cek \\/katalog \\ud83d\\udc4d"),  # Meta's escaped form
    ],
)
def test_the_signature_is_over_the_runtimes_own_bytes(gateway, written_as):
    body, headers, _ = on_the_wire(gateway, "image_caption")
    assert written_as.encode() in body
    if gateway in ("gowa", "waha", "cloudapi"):  # signed over the body (Evolution's header is
        # a static token, WhatsApp Web API's the path): re-serialised, it no longer holds
        payload = document(gateway)["cases"]["image_caption"]["payload"]
        other = json.dumps(payload).encode()
        assert other != body and not adapter(gateway).accepts(headers, other, None)


def test_a_wrapped_hd_copy_is_the_same_photo_as_its_first_copy():
    for gateway in ("waha", "evolution"):
        [first] = events(gateway, "image_no_caption")
        [copy] = events(gateway, "hd_copy")
        assert copy.dedupe_key == first.dedupe_key, gateway  # one photo: the inbox keeps one


def test_what_the_source_payloads_say_about_media():
    [wwa] = events("whatsapp-web-api", "image_caption")
    assert wwa.media.locator == "/images/AC5F7BEAF90508EF9F3F79160FFD634F.jpg"
    [gowa] = events("gowa", "image_no_caption")
    assert gowa.media.locator.startswith("/statics/media/") and gowa.media.locator.endswith(".jpeg")
    [waha] = events("waha", "image_download_failed")
    assert waha.media.failed and adapter("waha").media_request(waha.media) is not None
    [inline] = events("evolution", "image_caption")
    assert inline.media.inline_b64 and inline.media.expected_bytes == 191346  # {low, high}
    [fetched] = events("evolution", "image_download_failed")
    request = adapter("evolution").media_request(fetched.media)
    assert json.loads(request.content)["message"]["key"]["id"] == "3EB0AA25E8847C7A906E32"
    [hd] = events("evolution", "hd_copy")
    wrapped = json.loads(adapter("evolution").media_request(hd.media).content)["message"]
    assert wrapped["key"]["id"] == "3EB0AA25E8847C7A906E33"  # the copy's own message
    assert wrapped["message"]["imageMessage"]["mediaKey"]["0"] >= 0  # Baileys' bytes, as sent
    [meta] = events("cloudapi", "image_caption")
    assert meta.media.locator == "1283920583112475"


def test_waha_core_before_2026_6_posts_unsigned_and_is_accepted_by_its_path_secret():
    body, _, _ = on_the_wire("waha", "image_caption")
    unsigned = make_adapter(
        GatewayConfig(kind="waha", webhook_secret=SECRET, session="default", webhook_auth="path")
    )
    assert not adapter("waha").accepts({}, body, SECRET)  # without the opt-in: refused
    assert unsigned.accepts({}, body, SECRET) and not unsigned.accepts({}, body, None)


@pytest.mark.parametrize("gateway", ["gowa", "waha", "evolution"])
def test_a_group_message_is_skipped_but_its_members_hidden_id_is_worth_keeping(gateway):
    body, _, _ = on_the_wire(gateway, "group")
    gw = adapter(gateway)
    assert gw.parse("dealer", body) == []
    [person] = gw.people_in_passing(body)
    assert set(person) == {BUDI, HIDDEN}
