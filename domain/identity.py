"""Who sent a message: WhatsApp addresses and typed phone numbers, normalised. Pure logic.

One person can come as a phone number, as a hidden linked id, or (Meta) as a business-scoped
id. The phone number is the canonical identity whenever it is known: sellers and admins are
registered by phone, and every gateway can address a phone.

`6281234567890@s.whatsapp.net`, `6281234567890:12@s.whatsapp.net`, `6281234567890@c.us`,
`+62 812-3456-7890` and `0812 3456 7890` are all the phone `6281234567890`. A `@lid` address is a
hidden "linked id" whose digits are not a phone number: it stays a separate kind. Groups, status
posts, broadcast lists and channels are not private chats.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import NotAnIdentity

DEFAULT_COUNTRY_CODE = "62"  # Indonesia: a number typed as 08... means +62 8...

# ASCII digits only: `\d` would also take Arabic-Indic, fullwidth or superscript digits
_NOT_DIGITS = re.compile(r"[^0-9]+")
# The national trunk prefix some write after the country code: `+62 (0)811...`, `+62 0811...`
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")


class IdentityKind(enum.Enum):
    PHONE = "phone"
    LID = "lid"  # WhatsApp's hidden linked id
    BSUID = "bsuid"  # Meta's business-scoped user id


class ChatKind(enum.Enum):
    DIRECT = "direct"
    GROUP = "group"
    BROADCAST = "broadcast"  # status posts, broadcast lists, channels


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    value: str

    def __str__(self) -> str:
        """The stored form: `6281234567890`, `lid:251556368777322`, `bsuid:ID.1349...`."""
        return self.value if self.kind is IdentityKind.PHONE else f"{self.kind.value}:{self.value}"

    @classmethod
    def parse(cls, stored: str) -> Identity:
        kind, _, value = stored.partition(":")
        if value and kind in (IdentityKind.LID.value, IdentityKind.BSUID.value):
            return cls(IdentityKind(kind), value)
        return cls(IdentityKind.PHONE, stored)

    @property
    def is_phone(self) -> bool:
        return self.kind is IdentityKind.PHONE


def normalise_phone(text: str, country_code: str = DEFAULT_COUNTRY_CODE) -> str:
    """Digits with the country code and no `+` or leading 0: `0812-3456-7890` -> `6281234567890`.

    The trunk 0 written after the country code (`+62 (0)811...`, `+62 0811...`) is dropped:
    no Indonesian number starts with 0 after the 62."""
    digits = _NOT_DIGITS.sub("", _TRUNK_ZERO.sub("", text))
    if text.strip().startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if digits.startswith(country_code + "0"):
        digits = country_code + digits[len(country_code) + 1 :]
    if not 8 <= len(digits) <= 15:
        raise NotAnIdentity(f"{text!r} is not a phone number")
    return digits


def chat_kind(address: str) -> ChatKind:
    server = address.rpartition("@")[2].lower() if "@" in address else ""
    if server == "g.us":
        return ChatKind.GROUP
    if server in ("broadcast", "newsletter"):
        return ChatKind.BROADCAST
    return ChatKind.DIRECT


def parse_address(address: str) -> Identity:
    """A WhatsApp address (JID) or a bare phone number as an Identity."""
    address = address.strip()
    user, at, server = address.partition("@")
    if not at:
        return Identity(IdentityKind.PHONE, normalise_phone(address))
    user = re.split(r"[:.]", user, maxsplit=1)[0]  # drop the device (":12") or agent part
    server = server.lower()
    if server == "lid":
        if not (user.isascii() and user.isdigit()):
            raise NotAnIdentity(f"{address!r} is not a valid linked id")
        return Identity(IdentityKind.LID, user)
    if server in ("s.whatsapp.net", "c.us"):
        if not (user.isascii() and user.isdigit()):
            raise NotAnIdentity(f"{address!r} is not a phone address")
        return Identity(IdentityKind.PHONE, normalise_phone(user))
    raise NotAnIdentity(f"{address!r} is not a private chat address")


def phone_first(
    sender: Identity, others: Iterable[Identity] = ()
) -> tuple[Identity, tuple[Identity, ...]]:
    """The canonical identity among the forms one message gave for its sender (the phone number
    when there is one) and the other forms, without repeats."""
    forms = list(dict.fromkeys((sender, *others)))
    canonical = next((form for form in forms if form.is_phone), sender)
    return canonical, tuple(form for form in forms if form != canonical)
