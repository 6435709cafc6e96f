"""An optional sales-text writer: any OpenAI-compatible chat completions endpoint.

Used only when `[copywriter] base_url` is set. It gets the stated facts, has a deadline, and its
text is checked (`copywriter.acceptable`: length, no link, no invented year or price) before it
is used; on any failure the template text is used instead, so a seller never waits for it
longer than the deadline and never sees an error because of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import httpx
import trio

from domain.copywriter import acceptable

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


@dataclass(frozen=True, slots=True)
class ChatCopywriter:
    client: httpx.AsyncClient
    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 8.0

    async def write(self, draft: dict, language: str) -> str | None:
        """A checked sales text, or None (use the template)."""
        facts = {k: v for k, v in draft.items() if v not in (None, "", [])}
        body = {
            "model": self.model,
            "temperature": 0.7,
            "max_tokens": 300,
            "messages": [
                {"role": "system", "content": PROMPTS.get(language, PROMPTS["id"])},
                {"role": "user", "content": json.dumps(facts, ensure_ascii=False)},
            ],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with trio.fail_after(self.timeout_s):
                response = await self.client.post(
                    f"{self.base_url.rstrip('/')}/chat/completions", json=body, headers=headers
                )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"].strip()
        except trio.TooSlowError:
            log.warning("copywriter did not answer within %g s; using the template", self.timeout_s)
            return None
        except (
            httpx.HTTPError,
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            AttributeError,
        ) as exc:
            log.warning("copywriter answer unusable (%s); using the template", exc)
            return None
        if not acceptable(text, draft):
            log.warning("copywriter text refused (invented facts, a link, or its length)")
            return None
        return text
