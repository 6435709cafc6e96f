"""Every text the bot sends, in one catalog: Indonesian first, English second.

WhatsApp formatting: *bold*, _italic_. Placeholders are str.format fields. A test checks that
both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("id", "en")

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "help": (
            "Halo! Saya bot katalog *{showroom}*.\n\n"
            "Untuk memasang mobil, kirim:\n"
            "*/upload* merek model tahun, KM, harga\n"
            "Contoh: _/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt_\n\n"
            "Lalu kirim 1-10 foto dan ketik *selesai*."
        ),
        "photos_need_upload": (
            "Foto diterima, tapi belum ada iklan yang sedang dibuat. "
            "Kirim */upload* dengan data mobilnya dulu, lalu kirim fotonya lagi."
        ),
        "unsupported": (
            "Maaf, saya hanya bisa membaca teks dan *foto*. "
            "Kirim foto mobil sebagai foto (bukan dokumen atau video)."
        ),
        "crashed": (
            "Maaf, terjadi kesalahan di sistem kami saat memproses pesan Anda. "
            "Silakan kirim lagi pesan terakhir Anda."
        ),
    },
    "en": {
        "help": (
            "Hello! I am the catalog bot of *{showroom}*.\n\n"
            "To list a car, send:\n"
            "*/upload* make model year, mileage, price\n"
            "Example: _/upload Honda Freed PSD Matic 2012 KM 145515 price 145jt_\n\n"
            "Then send 1-10 photos and type *selesai* (done)."
        ),
        "photos_need_upload": (
            "Photo received, but no listing is being created. "
            "Send */upload* with the car's details first, then send the photos again."
        ),
        "unsupported": (
            "Sorry, I can only read text and *photos*. "
            "Send the car's pictures as photos (not as documents or videos)."
        ),
        "crashed": (
            "Sorry, something went wrong on our side while handling your message. "
            "Please send your last message again."
        ),
    },
}


def text(language: str, key: str, **values: Any) -> str:
    """The text `key` in `language` (Indonesian when the language is unknown)."""
    catalog = TEXTS.get(language, TEXTS["id"])
    return catalog[key].format(**values)
