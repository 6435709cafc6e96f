"""What the simulator's chat page shows: the people on the "phone" and every conversation.

The simulated gateway is one WhatsApp account (the dealer's, run by the bot). The page plays the
other side: several people, each a chat of their own. This log keeps, per chat and in order,
what the person wrote (with WhatsApp's ticks: sent, then delivered once showroom took the
webhook) and what the bot sent back, so that any page (or a script) can ask what changed since
it last looked. Names and roles here are only labels for the page: who may sell is decided by
the bot, from its configuration.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Author = Literal["person", "bot"]
# A person's message: "sent" (the gateway has it), "delivered" (showroom took the webhook),
# "failed" (showroom did not answer 2xx: the real gateway loses it). The bot's: "received".
Status = Literal["sent", "delivered", "failed", "received"]

DEMO_SELLER = "6281234567890"  # the number the README's tour types as
DEMO_BUYER = "6285800000001"
NEW_BUYER_PREFIX = "62858"  # buyers added from the page: 62858 and eight digits, in sequence


@dataclass(frozen=True, slots=True)
class Contact:
    number: str
    name: str
    role: str = ""  # "seller", "buyer", "admin" or "": a label, not a right


@dataclass(slots=True)
class ChatMessage:
    id: int  # order of the conversation (all chats share one sequence)
    seq: int  # the log's change counter when this message last changed
    chat: str  # the person's number (or `<id>@lid`)
    author: Author
    text: str  # the message, or the photo's caption
    at: float  # Unix time
    status: Status
    image: str = ""  # a photo: its path on the simulator

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChatLog:
    dealer_name: str = "Showroom"
    dealer_number: str = ""
    contacts: dict[str, Contact] = field(default_factory=dict)
    messages: list[ChatMessage] = field(default_factory=list)
    seq: int = 0
    contacts_seq: int = 0  # `seq` when a contact was last added or renamed
    # Which log this is: a page that finds another one (the bot restarted) starts over.
    id: str = field(default_factory=lambda: secrets.token_hex(6))

    @classmethod
    def for_people(
        cls,
        *,
        dealer_name: str = "Showroom",
        dealer_number: str = "",
        admins: tuple[str, ...] = (),
        sellers: tuple[str, ...] = (),
    ) -> ChatLog:
        """The people a newcomer plays: the configured sellers (else the tour's demo seller),
        a buyer, and the configured admins."""
        log = cls(dealer_name=dealer_name, dealer_number=dealer_number)
        for n, number in enumerate(sellers or (DEMO_SELLER,), start=1):
            log.add_contact(number, _numbered("Penjual", n, len(sellers)), "seller")
        log.add_contact(DEMO_BUYER, "Pembeli 1", "buyer")
        for n, number in enumerate(admins, start=1):
            log.add_contact(number, _numbered("Admin", n, len(admins)), "admin")
        return log

    def add_contact(self, number: str, name: str = "", role: str = "") -> Contact:
        """Add a person (or rename one already known); returns them as now known."""
        known = self.contacts.get(number)
        contact = Contact(
            number,
            name or (known.name if known else "") or number,
            role or (known.role if known else ""),
        )
        self.contacts[number] = contact
        self.seq += 1
        self.contacts_seq = self.seq
        return contact

    def new_buyer(self) -> Contact:
        """A buyer nobody has played yet, with a number of its own."""
        buyers = sum(1 for c in self.contacts.values() if c.role == "buyer")
        n = 1
        while (number := f"{NEW_BUYER_PREFIX}{n:08d}") in self.contacts:
            n += 1
        return self.add_contact(number, f"Pembeli {buyers + 1}", "buyer")

    def person_wrote(self, chat: str, text: str, image: str = "") -> ChatMessage:
        return self._append(chat, "person", text, image, "sent")

    def bot_wrote(self, chat: str, text: str, image: str = "") -> ChatMessage:
        return self._append(chat, "bot", text, image, "received")

    def delivered(self, message: ChatMessage, accepted: bool) -> None:
        """showroom answered the webhook: two ticks, or a failure mark. A later duplicate post
        of the same message never takes delivered back."""
        status: Status = "delivered" if accepted else "failed"
        if message.status == status or message.status == "delivered":
            return
        self.seq += 1
        message.status, message.seq = status, self.seq

    def changed_after(self, seq: int) -> list[ChatMessage]:
        """Messages new or changed since the page last saw `seq`, in conversation order."""
        if seq >= self.seq:
            return []
        return [m for m in self.messages if m.seq > seq]

    def chats(self) -> list[dict[str, Any]]:
        """Every chat: the contacts first (in the order they were added), then numbers only
        scripts wrote as; each with its last message."""
        last: dict[str, ChatMessage] = {}
        for message in self.messages:
            last[message.chat] = message
        numbers = list(self.contacts) + [c for c in last if c not in self.contacts]
        return [
            {
                **asdict(self.contacts.get(number) or Contact(number, number)),
                "last": last[number].as_json() if number in last else None,
            }
            for number in numbers
        ]

    def _append(
        self, chat: str, author: Author, text: str, image: str, status: Status
    ) -> ChatMessage:
        self.seq += 1
        message = ChatMessage(
            len(self.messages) + 1, self.seq, chat, author, text, time.time(), status, image
        )
        self.messages.append(message)
        return message


def chat_of(address: str) -> str:
    """The chat an address belongs to: a phone address is its number; `<id>@lid` stays."""
    user, at, server = address.partition("@")
    return user.split(":", 1)[0] if at and server == "s.whatsapp.net" else address


def _numbered(label: str, n: int, count: int) -> str:
    return label if count <= 1 else f"{label} {n}"
