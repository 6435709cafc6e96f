"""An optional sales-text writer: any OpenAI-compatible chat completions endpoint.

Used only when `[copywriter] base_url` is set. It gets the stated facts, has a deadline, and its
text is checked (`copywriter.acceptable`: length, no link, no invented year or price) before it
is used; on any failure the template text is used instead, so a seller never waits for it
longer than the deadline and never sees an error because of it.

The same model may answer a buyer's free-form question (`answer`): it is given only the facts
of the cars in question and the showroom's address and hours, and its answer is used only when
`domain.buyer.model_answer_acceptable` finds nothing in it that is not in those facts; on any
failure the bot's own rule-based answer stands.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import httpx
import trio

from domain.buyer import BuyerSettings, CarFacts, model_answer_acceptable
from domain.copywriter import acceptable
from domain.formatting import kilometres, rupiah

log = logging.getLogger("showroom.copywriter")

PROMPTS = {
    "id": (
        "Kamu penulis iklan mobil bekas untuk showroom di Indonesia. Tulis teks iklan singkat "
        "(2-4 kalimat), hidup dan jujur, dalam bahasa Indonesia, HANYA dari fakta yang "
        "diberikan. Jangan menambah fakta, harga, tahun, atau tautan. Tanpa emoji berlebihan."
    ),
    "en": (
        "You write used-car listings for a dealer. Write a short (2-4 sentences), lively and "
        "honest sales text in English, ONLY from the given facts. Never add facts, prices, "
        "years or links."
    ),
}


ANSWER_PROMPTS = {
    "id": (
        "Kamu asisten WhatsApp sebuah showroom mobil bekas di Indonesia. Jawab pertanyaan "
        "pembeli dengan singkat (1-3 kalimat), ramah, dalam bahasa Indonesia, HANYA dari data "
        "yang diberikan. Jangan menyebut mobil, kode, harga, tahun, atau tautan lain. Jangan "
        "menjanjikan foto atau video. Jika data tidak cukup, katakan tim kami akan membantu."
    ),
    "en": (
        "You are the WhatsApp assistant of a used-car showroom. Answer the buyer's question "
        "briefly (1-3 sentences), kindly, in English, ONLY from the given data. Never name any "
        "other car, code, price, year or link. Never promise photos or videos. If the data is "
        "not enough, say our team will help."
    ),
}


@dataclass(frozen=True, slots=True)
class ChatCopywriter:
    client: httpx.AsyncClient
    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 8.0

    async def answer(
        self, question: str, cars: tuple[CarFacts, ...], settings: BuyerSettings
    ) -> str | None:
        """A checked answer to a buyer's free-form question from these facts, or None."""
        facts = {
            "showroom": settings.showroom,
            "address": settings.address,
            "opening_hours": settings.opening_hours,
            "cars": [_car_facts(car, settings) for car in cars],
        }
        language = settings.language
        messages = [
            {"role": "system", "content": ANSWER_PROMPTS.get(language, ANSWER_PROMPTS["id"])},
            {"role": "user", "content": json.dumps(facts, ensure_ascii=False)},
            {"role": "user", "content": question[:1000]},
        ]
        text = await self._complete(messages, max_tokens=200, temperature=0.3)
        if text is None:
            return None
        if not model_answer_acceptable(text, cars, settings):
            log.warning("model answer refused (a fact not in the stock, a link or a promise)")
            return None
        return text

    async def write(self, draft: dict, language: str) -> str | None:
        """A checked sales text, or None (use the template)."""
        facts = {k: v for k, v in draft.items() if v not in (None, "", [])}
        messages = [
            {"role": "system", "content": PROMPTS.get(language, PROMPTS["id"])},
            {"role": "user", "content": json.dumps(facts, ensure_ascii=False)},
        ]
        text = await self._complete(messages, max_tokens=300, temperature=0.7)
        if text is None:
            return None
        if not acceptable(text, draft):
            log.warning("copywriter text refused (invented facts, a link, or its length)")
            return None
        return text

    async def _complete(
        self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float
    ) -> str | None:
        """The model's text, or None (too slow, an error, an answer of another shape)."""
        body = {
            "model": self.model,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "messages": messages,
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with trio.fail_after(self.timeout_s):
                response = await self.client.post(
                    f"{self.base_url.rstrip('/')}/chat/completions", json=body, headers=headers
                )
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"].strip()
        except trio.TooSlowError:
            log.warning("the model did not answer within %g s; not used", self.timeout_s)
            return None
        except (
            httpx.HTTPError,
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            AttributeError,
        ) as exc:
            log.warning("the model's answer is unusable (%s); not used", exc)
            return None


def _car_facts(car: CarFacts, settings: BuyerSettings) -> dict[str, object]:
    facts = {
        "code": f"#{car.code}",
        "name": car.name,
        "year": car.year,
        "price": rupiah(car.price_idr),
        "mileage": kilometres(car.mileage_km) if car.mileage_km else None,
        "transmission": car.transmission,
        "fuel": car.fuel,
        "color": car.color,
        "status": car.status,
        "link": settings.link(car.slug),
    }
    return {key: value for key, value in facts.items() if value}
