"""What a short message means, as people really type it: yes, no, done, skip, cancel, help.

`yaaa`, `Oke!`, `iya kak`, `gasss`, `oke hapus aja`, `gak jadi deh`: letters repeated for
emphasis are read once, case and punctuation do not matter, and a yes or a no inside a short
sentence counts. A no wins over a yes (`ya jangan dulu` is no), and a long message is never
read as a one-word answer (it is most likely a question or a correction).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

MAX_ANSWER_WORDS = 6  # beyond this a message is not a yes/no/done answer

_NOT_A_WORD = re.compile(r"[^\w/]+")
_REPEATS = re.compile(r"(\w)\1+")


def _squeeze(word: str) -> str:
    """`yaaa` -> `ya`, `okee` -> `oke`, `gasss` -> `gas` (also `tt` -> `t`: compare squeezed)."""
    return _REPEATS.sub(r"\1", word)


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(_squeeze(w) for w in words.split())


YES = _vocabulary(
    "ya y yes yess iya iye yoi ok oke okay okey okelah sip siap setuju boleh lanjut lanjutkan "
    "gas gass betul benar bener tayang tayangkan mantap mantul deal yaudah yauda yasudah "
    "yakin sure yep yup go publish good correct"
)
NO = _vocabulary(
    "tidak tdk no n gak ga nggak ngga enggak engga gk g jangan jgn batal batalkan cancel "
    "/cancel /batal nope ogah"
)
# Said together, these mean "never mind": `tidak jadi`, `gak jadi`, `ga jd`.
_CHANGED_MIND = _vocabulary("jadi jd")
DONE = _vocabulary("selesai done sudah udah udh sdh beres finish finished cukup kelar rampung")
SKIP = _vocabulary("skip lewati lewat /skip lanjut lanjutkan")
CANCEL = _vocabulary("batal batalkan cancel /cancel /batal stop")
# "Not now": the seller will come back to it.
LATER = _vocabulary("nanti ntar tar bentar sebentar tunggu later wait dulu")
QUESTION_WORDS = _vocabulary(
    "apa apakah gimana bagaimana gmn kenapa knp kok kapan berapa brp mana dimana siapa "
    "bisakah bolehkah"
)
HELP = _vocabulary("/help /bantuan help bantuan menu /start /menu")


def words_of(text: str) -> list[str]:
    """The words of a message, lower case, without punctuation."""
    return _NOT_A_WORD.sub(" ", text.lower()).split()


def is_short(text: str) -> bool:
    return 0 < len(words_of(text)) <= MAX_ANSWER_WORDS


def _any(words: Iterable[str], vocabulary: frozenset[str]) -> bool:
    """Is one of the words in the vocabulary, emphasis aside (`yaaa` is `ya`)?"""
    return any(_squeeze(w) in vocabulary for w in words)


def changed_mind(text: str) -> bool:
    """`tidak jadi`, `gak jadi deh`, `batal aja`: the seller does not want it any more."""
    words = words_of(text)
    if not words or len(words) > MAX_ANSWER_WORDS:
        return False
    if _any(words, CANCEL):
        return True
    return any(w in NO and nxt in _CHANGED_MIND for w, nxt in itertools.pairwise(words))


def is_question(text: str) -> bool:
    """`gimana ya kak`, `bisa nego?`: asked, not answered (a `ya` in it is a filler)."""
    return "?" in text or _any(words_of(text), QUESTION_WORDS)


def yes_or_no(text: str) -> bool | None:
    """True for a yes, False for a no, None when the message is neither (or too long to be
    an answer, or a question). A no wins: `ya jangan dulu`, `oke gak jadi` are no."""
    words = words_of(text)
    if not words or len(words) > MAX_ANSWER_WORDS or is_question(text):
        return None
    if _any(words, NO) or changed_mind(text):
        return False
    if _any(words, YES):
        return True
    return None


def is_done(text: str) -> bool:
    """`selesai`, `udah itu aja`, `udah kak itu aja fotonya sudah semua ya`: the photos are
    all sent (a longer message than a yes/no may say it, but not one with figures in it)."""
    words = words_of(text)
    return (
        0 < len(words) <= 2 * MAX_ANSWER_WORDS
        and _any(words, DONE)
        and not _any(words, NO)
        and not any(ch.isdigit() for ch in text)
    )


def is_later(text: str) -> bool:
    """`nanti dulu`, `bentar ya kak fotonya masih di hp satunya`: not now."""
    words = words_of(text)
    return 0 < len(words) <= 2 * MAX_ANSWER_WORDS and _any(words[:3], LATER)


def is_skip(text: str) -> bool:
    words = words_of(text)
    return 0 < len(words) <= 3 and _any(words, SKIP)


def is_help(text: str) -> bool:
    words = words_of(text)
    return 0 < len(words) <= 2 and _any(words, HELP)
