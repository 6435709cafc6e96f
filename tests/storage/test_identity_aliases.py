"""One person, one identity: a hidden linked id seen next to a phone number is remembered, and
a later message with the hidden id alone is taken as the phone's (on SQLite; the same
statements run on PostgreSQL in test_postgres.py)."""

import json

from domain.events import EventKind, InboundEvent
from domain.identity import ChatKind, Identity, IdentityKind
from storage.models import IdentityAlias, InboxEvent
from storage.queries import phone_for
from storage.writes import AppendInbox, InboxAppended

PHONE = Identity(IdentityKind.PHONE, "6281234567890")
LID = Identity(IdentityKind.LID, "203551111000101")


def event(key: str, sender: Identity, *alternates: Identity) -> InboundEvent:
    return InboundEvent(
        tenant="dealer",
        dedupe_key=key,
        sender=sender,
        chat_kind=ChatKind.DIRECT,
        kind=EventKind.TEXT,
        text="halo",
        alternates=alternates,
    )


def append(db, tenant, incoming: InboundEvent) -> InboxAppended:
    write = AppendInbox(
        tenant.id,
        incoming.dedupe_key,
        str(incoming.sender),
        incoming.to_json(),
        tuple(str(a) for a in incoming.alternates),
    )
    with db.atomic():
        return write.apply()


def stored(key: str) -> tuple[str, InboundEvent]:
    row = InboxEvent.get(InboxEvent.dedupe_key == key)
    return row.sender, InboundEvent.from_json(row.event)


def test_a_hidden_id_alone_is_stored_as_itself_until_its_phone_is_known(db, tenant):
    assert append(db, tenant, event("m1", LID)).resolved is None
    assert stored("m1")[0] == "lid:203551111000101"
    assert phone_for(tenant.id, "lid:203551111000101") is None


def test_the_pair_is_remembered_and_the_hidden_id_alone_then_means_the_phone(db, tenant):
    first = append(db, tenant, event("m1", PHONE, LID))  # GoWA from + from_lid
    assert first.resolved is None and stored("m1")[0] == "6281234567890"
    assert phone_for(tenant.id, "lid:203551111000101") == "6281234567890"

    later = append(db, tenant, event("m2", LID))  # the next message comes with the LID alone
    assert later.resolved == "6281234567890"
    sender, remembered = stored("m2")
    assert sender == "6281234567890" and remembered.sender == PHONE
    assert remembered.alternates == (LID,)  # the form it came with is kept
    assert event("m2", LID).sent_by(PHONE) == remembered


def test_a_pair_given_in_either_order_names_the_phone(db, tenant):
    append(db, tenant, event("m1", LID, PHONE))  # remoteJid the LID, remoteJidAlt the phone
    assert stored("m1")[0] == "6281234567890"
    assert phone_for(tenant.id, "lid:203551111000101") == "6281234567890"


def test_a_hidden_id_that_moved_to_another_number_follows_it(db, tenant):
    other = Identity(IdentityKind.PHONE, "6289876543210")
    append(db, tenant, event("m1", PHONE, LID))
    append(db, tenant, event("m2", other, LID))
    assert phone_for(tenant.id, "lid:203551111000101") == "6289876543210"
    assert IdentityAlias.select().count() == 1


def test_a_duplicate_still_reports_itself_and_changes_nothing(db, tenant):
    append(db, tenant, event("m1", PHONE, LID))
    again = append(db, tenant, event("m1", LID))
    assert again.duplicate and InboxEvent.select().count() == 1
    assert json.loads(InboxEvent.get().event)["sender"] == "6281234567890"
