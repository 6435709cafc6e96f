"""Buyer conversations on the pure rules: the turns of `fixtures/buyer_conversations.jsonl`
(the trial's buyers and our own variants) against the trial's stock, through the stock double
(`buyer_trial.facts`). Each turn is read, planned, looked up and answered as the session does;
what the answer must (and must not) show is the fixture's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from domain.buyer import Alert, BuyerContext, BuyerSettings, Say, plan, question_of, step
from domain.buyer_state import BuyerState
from domain.events import EventKind, InboundEvent
from domain.identity import ChatKind, Identity, IdentityKind
from domain.replies import ReplyImage
from tests.domain import buyer_trial

FIXTURE = Path(__file__).parent / "fixtures" / "buyer_conversations.jsonl"
BUYER = Identity(IdentityKind.PHONE, "6285710000001")
START = 1_800_000_000.0
SETTINGS = BuyerSettings(
    language="id",
    showroom="Showroom Demo",
    catalog_url="http://127.0.0.1:28000",
    address=buyer_trial.ADDRESS,
    maps_url=buyer_trial.MAPS,
    opening_hours=buyer_trial.HOURS,
    credit_rate_pct=6.0,
)
CODE = re.compile(r"#([A-Z]\d{2,4})\b")


def conversations() -> list[dict[str, Any]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and "_rules" not in line[:12]]


def texts(effects: list) -> list[Say | ReplyImage]:
    return [e for e in effects if isinstance(e, Say | ReplyImage)]


def check(turn: dict[str, Any], effects: list) -> list[str]:
    """What in this turn's answer differs from the fixture's expectations (empty: all right)."""
    images = [e for e in effects if isinstance(e, ReplyImage)]
    # what the buyer reads: the texts and the photos' captions
    said = "\n".join(e.text if isinstance(e, Say) else e.caption for e in (*texts(effects),))
    alerts = [e for e in effects if isinstance(e, Alert)]
    wrong = []
    for words in turn.get("has", ()):
        if words not in said:
            wrong.append(f"lacks {words!r}")
    if turn.get("any") and not any(words in said for words in turn["any"]):
        wrong.append(f"has none of {turn['any']!r}")
    for words in turn.get("not", ()):
        if words in said:
            wrong.append(f"has {words!r}")
    if "first" in turn:
        codes = CODE.findall(said)
        if not codes or f"#{codes[0]}" != turn["first"]:
            wrong.append(f"first code {codes[:1]} not {turn['first']}")
    if "images" in turn and len(images) != turn["images"]:
        wrong.append(f"{len(images)} images, not {turn['images']}")
    if "alert" in turn:
        fitting = [a for a in alerts if all(words in a.text for words in turn["alert"])]
        if not fitting:
            wrong.append(f"no alert with {turn['alert']!r} (alerts: {[a.text for a in alerts]})")
        wanted = {"seller": buyer_trial.SELLER, "admins": buyer_trial.ADMIN}.get(
            turn.get("alert_to", "")
        )
        if wanted and not any(a.chat == wanted for a in fitting):
            wrong.append(f"alert not to the {turn['alert_to']}")
    if turn.get("no_alert") and alerts:
        wrong.append("alerted")
    if turn.get("held") and not any(type(e).__name__ == "AnswerLater" for e in effects):
        wrong.append("not held for later")
    return [f"{problem} in {said!r}" for problem in wrong]


def run(conversation: dict[str, Any]) -> list[str]:
    state, now, problems = BuyerState(), START, []
    for number, turn in enumerate(conversation["turns"]):
        now += turn.get("after_s", 60.0)
        words = turn["say"]
        received = InboundEvent(
            "demo", f"k{number}", BUYER, ChatKind.DIRECT, EventKind.TEXT, words, sender_name="Andi"
        )
        question = question_of(received)
        lookup = plan(state, question, now)
        facts = buyer_trial.facts(lookup) if lookup is not None else None
        state, effects = step(state, received, BuyerContext(SETTINGS, question, facts), now)
        problems += [f"{words!r}: {problem}" for problem in check(turn, effects)]
    return problems


@pytest.mark.parametrize("conversation", conversations(), ids=lambda c: c["name"])
def test_a_buyer_conversation_gets_the_answers_it_should(conversation):
    problems = run(conversation)
    assert not problems, "\n".join(problems)


def test_the_fixture_covers_the_trial_and_our_own_variants():
    sources = {c["source"] for c in conversations()}
    assert sources == {"tester", "ours", "probe"}
    assert sum(len(c["turns"]) for c in conversations()) >= 150
