"""Admin commands as typed in a chat, parsed. Pure (no trio, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.identity import NotAnIdentity, normalise_phone

_COMMANDS = {
    "/admin": "admin", "/seller": "seller", "/sellers": "seller", "/penjual": "seller",
    "/mobil": "cars", "/cars": "cars", "/sembunyikan": "hide", "/hide": "hide",
    "/tampilkan": "show", "/show": "show", "/stats": "stats", "/statistik": "stats",
    "/health": "health", "/kesehatan": "health", "/backup": "backup",
    "/leads": "leads", "/lead": "lead", "/calon": "leads", "/permintaan": "demand",
    "/demand": "demand",
}  # fmt: skip
# The buyer side's commands: sellers may use them too, for the leads on their own cars.
BUYER_COMMANDS = frozenset({"leads", "lead", "demand"})
_LEAD_STATUSES = {
    "hot": "hot", "warm": "warm", "baru": "new", "new": "new", "closed": "closed",
    "tutup": "closed", "deal": "closed", "lost": "lost", "batal": "lost", "hilang": "lost",
}  # fmt: skip
_ADD = {"tambah", "add", "+"}
_REMOVE = {"hapus", "remove", "delete", "-"}
_STATUS = {
    "terjual": "sold",
    "sold": "sold",
    "booking": "booking",
    "tersedia": "available",
    "available": "available",
    "hidden": "hidden",
    "disembunyikan": "hidden",
}


@dataclass(frozen=True, slots=True)
class AdminCommand:
    name: str  # admin, seller, cars, hide, show, stats, health, backup, leads, lead, demand
    action: str = ""  # add, remove, list, help
    phone: str = ""
    person_name: str = ""
    code: str = ""
    status: str | None = None
    invalid: bool = False  # understood as an admin command, but not its arguments


def parse_admin(message: str) -> AdminCommand | None:
    """The admin command in a message, or None when it is not one."""
    words = message.strip().split()
    if not words or words[0].lower() not in _COMMANDS:
        return None
    name, rest = _COMMANDS[words[0].lower()], words[1:]
    if name in ("seller", "admin"):
        if not rest:
            return AdminCommand(name, "list" if name == "seller" else "help")
        verb = rest[0].lower()
        action = "add" if verb in _ADD else "remove" if verb in _REMOVE else ""
        digits = re.match(r"[+\d][\d\s().-]{6,}", " ".join(rest[1:]))
        if not action or not digits:
            return AdminCommand(name, invalid=True)
        try:
            phone = normalise_phone(digits.group(0))
        except NotAnIdentity:
            return AdminCommand(name, invalid=True)
        person_name = " ".join(rest[1:])[digits.end() :].strip()[:100]
        return AdminCommand(name, action, phone=phone, person_name=person_name)
    if name == "cars":
        status = _STATUS.get(rest[0].lower()) if rest else None
        return AdminCommand(name, "list", status=status)
    if name == "leads":  # /leads [hot|warm|baru]
        status = _LEAD_STATUSES.get(rest[0].lower()) if rest else None
        if rest and status is None:
            return AdminCommand(name, invalid=True)
        return AdminCommand(name, "list", status=status)
    if name == "lead":  # /lead 0812... closed|lost|hot
        digits = re.match(r"[+\d][\d\s().-]{6,}", " ".join(rest))
        status = _LEAD_STATUSES.get(rest[-1].lower()) if rest else None
        if not digits or status is None:
            return AdminCommand(name, invalid=True)
        try:
            phone = normalise_phone(digits.group(0))
        except NotAnIdentity:
            return AdminCommand(name, invalid=True)
        return AdminCommand(name, "set", phone=phone, status=status)
    if name in ("hide", "show"):
        found = re.search(r"#?\b([a-zA-Z]\d{2,4})\b", " ".join(rest))
        if not found:
            return AdminCommand(name, invalid=True)
        return AdminCommand(name, code=found.group(1).upper())
    return AdminCommand(name)
