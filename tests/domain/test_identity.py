"""Sender identities, normalised from every spelling the gateways and admins use."""

import pytest

from domain.identity import (
    ChatKind,
    Identity,
    IdentityKind,
    NotAnIdentity,
    chat_kind,
    normalise_phone,
    parse_address,
)

PHONE = Identity(IdentityKind.PHONE, "6281234567890")


@pytest.mark.parametrize(
    "spelling",
    [
        "6281234567890@s.whatsapp.net",
        "6281234567890:12@s.whatsapp.net",
        "6281234567890.0:3@s.whatsapp.net",
        "6281234567890@c.us",
        "6281234567890",
        "+62 812-3456-7890",
        "0812 3456 7890",
        "+6281234567890",
        "0062 812 3456 7890",
    ],
)
def test_every_spelling_of_one_number_is_the_same_identity(spelling):
    assert parse_address(spelling) == PHONE


def test_a_linked_id_stays_distinct_and_marked():
    lid = parse_address("251556368777322@lid")
    assert lid == Identity(IdentityKind.LID, "251556368777322")
    assert lid != Identity(IdentityKind.PHONE, "251556368777322")
    assert str(lid) == "lid:251556368777322"
    assert Identity.parse(str(lid)) == lid and Identity.parse(str(PHONE)) == PHONE


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("6281234567890@s.whatsapp.net", ChatKind.DIRECT),
        ("120363025246125888@g.us", ChatKind.GROUP),
        ("status@broadcast", ChatKind.BROADCAST),
        ("1234567@broadcast", ChatKind.BROADCAST),
        ("120363144038483540@newsletter", ChatKind.BROADCAST),
    ],
)
def test_chat_kinds(address, kind):
    assert chat_kind(address) is kind


@pytest.mark.parametrize(
    "bad", ["", "hello", "12", "status@broadcast", "abc@s.whatsapp.net", "1234567890123456789"]
)
def test_what_is_not_a_private_address_is_refused(bad):
    with pytest.raises(NotAnIdentity):
        parse_address(bad)


def test_admin_typed_numbers_normalise_like_payload_numbers():
    assert normalise_phone("0812-3456-7890") == normalise_phone("+62 (812) 3456 7890")


@pytest.mark.parametrize(
    "typed",
    ["+62 (0)812 3456 7890", "+62 0812 3456 7890", "+62(0)812-3456-7890", "62 0812 3456 7890"],
)
def test_the_trunk_zero_after_the_country_code_is_dropped(typed):
    assert normalise_phone(typed) == "6281234567890"


@pytest.mark.parametrize(
    "bad",
    [
        "٠٨١٢٣٤٥٦٧٨٩٠",
        "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10",
        "08¹²³⁴⁵⁶⁷⁸⁹",
    ],
)
def test_digits_of_other_scripts_are_not_a_phone_number(bad):
    with pytest.raises(NotAnIdentity):
        normalise_phone(bad)
    with pytest.raises(NotAnIdentity):
        parse_address(f"{bad}@s.whatsapp.net")
