"""A buyer's conversation state, typed: kept in the session's data under `buyer`
(`SessionData.buyer`), so it commits with the turn like a seller's upload.

Only what the next answer needs: the car being talked about and its price (so "fotonya",
"kredit berapa?", "masih ada?", "kalo 150?" know which car), the cars of the last list and the
search that found them (so "yg putih tadi" can pick one and "yg manual aja gpp" can search
again), how many of that car's photos were sent, how many messages in a row the bot could not
answer, until when a person has taken the chat over, the hand-overs of the last hour (one alert
per buyer and car per hour), the flood limit's bucket and the message it held back, when the
full welcome was last given and when the bot last answered, the sold car it told of, and a
request waiting for its car ("minta foto" before saying which car). Old sessions without it
load with the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.buyer_questions import Filters


@dataclass(frozen=True, slots=True)
class BuyerState:
    car: str | None = None  # the code of the car being talked about
    shown: tuple[str, ...] = ()  # the codes of the last list of cars shown, in order
    photos_sent: int = 0  # photos of `car` sent so far
    unanswered: int = 0  # messages in a row the bot could not answer
    human_until: float = 0.0  # a person answered from the dealer's number: silent until then
    alerts: tuple[tuple[str, float], ...] = ()  # (car code or "", when) of recent hand-overs
    tokens: float = -1.0  # the flood limit's bucket (-1: full, never used)
    tokens_at: float = 0.0  # when the bucket was last filled up
    throttled_told: bool = False  # the buyer was told to slow down (once per flood)
    car_price: int = 0  # the price of `car` (an amount alone below it is an offer)
    filters: Filters | None = None  # the last search ("yg matic" searches it again)
    order: str = ""  # ... and how it was listed (cheapest first, nearest to a budget ...)
    greeted_at: float = 0.0  # when the full welcome was last given
    answered_at: float = 0.0  # when the bot last answered
    sold_told: str = ""  # the sold car the buyer was last told of, with its alternatives
    pending: str = ""  # "photos": asked before saying which car; sent once the car is named
    held: str = ""  # the message the flood limit held back (its key), answered when it lifts
    held_text: str = ""
    topic: str = ""  # "financing": the last answer was a credit simulation ("kalo 50?": a DP)

    @property
    def empty(self) -> bool:
        return self == BuyerState()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.car:
            data["car"] = self.car
        if self.shown:
            data["shown"] = list(self.shown)
        for name in (
            "photos_sent", "unanswered", "human_until", "tokens_at", "car_price", "order",
            "greeted_at", "answered_at", "sold_told", "pending", "held", "held_text", "topic",
        ):  # fmt: skip
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.alerts:
            data["alerts"] = [[code, at] for code, at in self.alerts]
        if self.tokens >= 0:
            data["tokens"] = self.tokens
        if self.throttled_told:
            data["throttled_told"] = True
        if self.filters is not None:
            data["filters"] = {k: v for k, v in self.filters.to_json().items() if v is not None}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BuyerState:
        data = data or {}
        filters = data.get("filters")
        return cls(
            car=data.get("car"),
            shown=tuple(data.get("shown") or ()),
            photos_sent=int(data.get("photos_sent", 0)),
            unanswered=int(data.get("unanswered", 0)),
            human_until=float(data.get("human_until", 0.0)),
            alerts=tuple((str(code), float(at)) for code, at in data.get("alerts") or ()),
            tokens=float(data.get("tokens", -1.0)),
            tokens_at=float(data.get("tokens_at", 0.0)),
            throttled_told=bool(data.get("throttled_told")),
            car_price=int(data.get("car_price", 0)),
            filters=Filters.from_json(filters) if isinstance(filters, dict) else None,
            order=str(data.get("order", "")),
            greeted_at=float(data.get("greeted_at", 0.0)),
            answered_at=float(data.get("answered_at", 0.0)),
            sold_told=str(data.get("sold_told", "")),
            pending=str(data.get("pending", "")),
            held=str(data.get("held", "")),
            held_text=str(data.get("held_text", "")),
            topic=str(data.get("topic", "")),
        )
