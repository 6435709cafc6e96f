"""The buyer conversations of `tests/domain/fixtures/buyer_conversations.jsonl` end to end: a
real showroom with the trial's fourteen cars published by its seller through the simulator
(uploads, photos, `/sold`), each conversation a new buyer writing to the dealer's number, and
what the buyer, the seller and the admin receive held to the fixture's expectations. Also what
only a running server shows: the demand `/permintaan` lists, a seller's credit simulation
outside an upload, and a message held back by the flood limit answered when it lifts."""

import dataclasses
import re

import httpx
import pytest
import trio

from showroom.app import serve
from tests.domain import buyer_trial
from tests.domain.test_buyer_conversations import conversations
from tests.system.conftest import make_settings
from tests.system.test_buyers import Chat, publish, query

CODE = re.compile(r"#([A-Z]\d{2,4})\b")
COLOURS = ("white", "silver", "red", "black", "grey", "navy", "maroon", "olive")


def trial_settings(tmp_path):
    settings = make_settings(tmp_path)
    demo = dataclasses.replace(
        settings.tenants["demo"],
        name="Showroom Demo",
        open_to_all=False,
        admins=(buyer_trial.ADMIN,),
        sellers=(buyer_trial.SELLER,),
        address=buyer_trial.ADDRESS,
        maps_url=buyer_trial.MAPS,
        opening_hours=buyer_trial.HOURS,
        credit_flat_rate_pct=6.0,
    )
    return dataclasses.replace(settings, tenants={"demo": demo})


@pytest.fixture
async def trial(tmp_path):
    """A showroom holding the trial's stock, as its seller published it."""
    async with httpx.AsyncClient() as client, trio.open_nursery() as nursery:
        running = await nursery.start(serve, trial_settings(tmp_path))
        simulator, server = running.simulators["demo"]

        def chat(number: str) -> Chat:
            return Chat(client, simulator, server.url, number)

        seller = chat(buyer_trial.SELLER)
        for (upload, photos), car in zip(buyer_trial.UPLOADS, buyer_trial.STOCK, strict=True):
            published = await publish(seller, f"/upload {upload}", COLOURS[:photos])
            assert f"#{car.code}" in published, published
        for code in buyer_trial.SOLD:
            [sold] = await seller.say(f"/sold #{code}")
            assert "terjual" in sold.text
        rows = query(
            tmp_path,
            "SELECT code, make, model, variant, year, price_idr, transmission, fuel, color, "
            "status FROM listing ORDER BY id",
        )
        assert rows == [
            (
                c.code,
                c.make,
                c.model,
                c.variant,
                c.year,
                c.price_idr,
                c.transmission,
                c.fuel,
                c.color,
                c.status,
            )
            for c in buyer_trial.STOCK
        ]  # fmt: skip  (the stock double's facts are what the catalog holds)
        yield chat, simulator, tmp_path
        nursery.cancel_scope.cancel()


async def settle(tmp_path, inbox_before: int) -> None:
    """Wait until the message sent has been handled and every reply and alert has gone."""
    with trio.fail_after(30):
        while True:
            (total, waiting), *_ = query(
                tmp_path, "SELECT COUNT(*), SUM(status = 'new') FROM inbox_event"
            )
            [(pending,)] = query(
                tmp_path, "SELECT COUNT(*) FROM outbox_message WHERE status = 'pending'"
            )
            if total > inbox_before and not waiting and not pending:
                return
            await trio.sleep(0.05)


def problems_of(turn: dict, replies: list, alerts: dict[str, list]) -> list[str]:
    said = "\n".join(m.text for m in replies)
    images = [m for m in replies if m.image]
    wrong = [f"lacks {w!r}" for w in turn.get("has", ()) if w not in said]
    wrong += [f"has {w!r}" for w in turn.get("not", ()) if w in said]
    if turn.get("any") and not any(w in said for w in turn["any"]):
        wrong.append(f"none of {turn['any']!r}")
    if "first" in turn:
        codes = CODE.findall(said)
        if not codes or f"#{codes[0]}" != turn["first"]:
            wrong.append(f"first code {codes[:1]}, not {turn['first']}")
    if "images" in turn and len(images) != turn["images"]:
        wrong.append(f"{len(images)} images, not {turn['images']}")
    every = [(who, m.text) for who, sent in alerts.items() for m in sent]
    if "alert" in turn:
        fitting = [(who, t) for who, t in every if all(w in t for w in turn["alert"])]
        wanted = {"seller": buyer_trial.SELLER, "admins": buyer_trial.ADMIN}.get(
            turn.get("alert_to", "")
        )
        if not fitting or (wanted and all(who != wanted for who, _ in fitting)):
            wrong.append(f"no alert with {turn['alert']!r} to {turn.get('alert_to')}: {every}")
    if turn.get("no_alert") and every:
        wrong.append(f"alerted: {every}")
    return [f"{turn['say']!r}: {w} in {said!r}" for w in wrong]


async def test_the_buyer_conversations_through_a_real_showroom(trial):
    chat, simulator, tmp_path = trial
    people = (buyer_trial.SELLER, buyer_trial.ADMIN)
    problems: list[str] = []
    for number, conversation in enumerate(conversations()):
        if conversation.get("pure_only"):
            continue
        buyer = chat(f"62857200{number:05d}")
        for turn in conversation["turns"]:
            seen = {who: len(simulator.sent_to(who)) for who in (buyer.number, *people)}
            [(inbox,)] = query(tmp_path, "SELECT COUNT(*) FROM inbox_event")
            await buyer.send(turn["say"])
            await settle(tmp_path, inbox)
            replies = simulator.sent_to(buyer.number)[seen[buyer.number] :]
            alerts = {who: simulator.sent_to(who)[seen[who] :] for who in people}
            problems += [
                f"[{conversation['name']}] {p}" for p in problems_of(turn, replies, alerts)
            ]
    assert not problems, "\n".join(problems)


async def test_demand_lists_what_was_missing_not_a_family_found(trial):
    chat, simulator, _ = trial
    buyer, admin = chat("6285730000001"), chat(buyer_trial.ADMIN)
    admin.seen = len(simulator.sent_to(buyer_trial.ADMIN))
    [found] = await buyer.say("ada brio?")
    assert "#H01" in found.text
    [missing] = await buyer.say("ada mobil matic dibawah 150jt?")
    assert "Maaf kak, mobil matic di bawah Rp 150 juta belum ada di stok kami" in missing.text
    [demand] = await admin.say("/permintaan")
    assert "mobil matic di bawah Rp 150 juta" in demand.text and "Brio" not in demand.text


async def test_a_seller_gets_a_credit_simulation_outside_an_upload(trial):
    chat, simulator, _ = trial
    seller = chat(buyer_trial.SELLER)
    seller.seen = len(simulator.sent_to(buyer_trial.SELLER))
    [credit] = await seller.say("kredit #T01")
    assert "Simulasi kredit #T01" in credit.text and "DP Rp 33.000.000 (20%)" in credit.text


async def test_the_last_message_of_a_flood_is_answered_when_the_limit_lifts(trial):
    chat, simulator, tmp_path = trial
    flood = chat("6285730000002")
    for words in ["p", "p", "min", "ada avanza?", "brp", "#T01", "foto", "kredit", "lokasi",
                  "p", "halo??", "bales dong", "woi", "ada ga sih", "ada ertiga?"]:  # fmt: skip
        await flood.send(words)
    sent = []
    with trio.fail_after(30):  # the limit lifts 6 s after the burst: then the last is answered
        while not any("#S01" in m.text for m in sent):
            await trio.sleep(0.1)
            sent = simulator.sent_to(flood.number)
    texts = [m.text for m in sent]
    assert sum("selamat datang" in t for t in texts) == 1  # the full welcome once
    assert sum("banyak sekali" in t for t in texts) == 1
    notice = next(i for i, t in enumerate(texts) if "banyak sekali" in t)
    assert any("#S01" in t for t in texts[notice:])  # the promise kept
    [(messages,)] = query(tmp_path, f"SELECT messages FROM lead WHERE identity = '{flood.number}'")
    assert messages == 15  # the held message is not counted twice
