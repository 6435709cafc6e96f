"""Is a webhook secret strong enough? A rule of thumb that refuses what people actually type.

A secret is refused when it holds whitespace (padding counted towards the length, or a value
pasted with its newline), is a known default or placeholder, is shorter than 16 characters, or
when its estimated entropy is under 40 bits. The estimate counts *symbols*, not characters: a
stretch that repeats something earlier in the secret (`secretsecret`, `aaaa`) or a run of
consecutive characters (`12345678`, `abcdef`) is one symbol, and each symbol is worth
log2(the number of distinct characters). A random 16-character hex string scores ~54 bits
(under 1 in 100 score less than 40), `secrets.token_urlsafe(32)` ~210; `password12345678`
scores 35, `secretsecretsecret` 16 and `aaaaaaaaaaaaaaaa` 2. It cannot know dictionary words:
it catches the lazy patterns, not every guessable phrase.
"""

from __future__ import annotations

import math

MIN_SECRET_LENGTH = 16
MIN_SECRET_BITS = 40.0
MIN_REPEAT = 3  # a repeated stretch this long or longer counts once
WEAK_SECRETS = frozenset(
    {
        "",
        "secret",
        "changeme",
        "change-me",
        "password",
        "token",
        "test",
        "default",
        "webhook",
        "showroom",
        "123456",
        "admin",
    }
)
# Words of the examples people copy without changing them.
PLACEHOLDERS = ("changeme", "change-me", "change_me", "replace-me", "your-secret", "example")
HOW_TO = "for example: python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def secret_weakness(secret: str) -> str | None:
    """Why `secret` is too weak to prove a webhook comes from the gateway, or None."""
    if any(character.isspace() for character in secret):
        return "contains spaces or other whitespace (padding does not make a secret longer)"
    lowered = secret.lower()
    if lowered in WEAK_SECRETS:
        return "is missing or a default"
    if any(word in lowered for word in PLACEHOLDERS):
        return "is a placeholder from an example"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    bits = estimated_bits(secret)
    if bits < MIN_SECRET_BITS:
        return (
            f"is too predictable (repeated or consecutive characters: about {bits:.0f} bits, "
            f"at least {MIN_SECRET_BITS:.0f} needed)"
        )
    return None


def estimated_bits(secret: str) -> float:
    """A rough, conservative entropy estimate: symbols x log2(distinct characters)."""
    distinct = len(set(secret))
    return _symbols(secret) * math.log2(max(distinct, 2)) if secret else 0.0


def _symbols(text: str) -> int:
    count, index = 0, 0
    while index < len(text):
        index += max(_repeat_length(text, index), _run_length(text, index), 1)
        count += 1
    return count


def _repeat_length(text: str, index: int) -> int:
    """The longest stretch from `index` that also starts earlier (it may overlap: `aaaa`)."""
    longest = 0
    for length in range(MIN_REPEAT, len(text) - index + 1):
        stretch = text[index : index + length]
        if text.find(stretch, 0, index + length - 1) < 0:
            break
        longest = length
    return longest


def _run_length(text: str, index: int) -> int:
    """The length of a run of consecutive code points from `index` (`1234`, `dcba`), if any."""
    if index + MIN_REPEAT > len(text):
        return 0
    step = ord(text[index + 1]) - ord(text[index])
    if step not in (1, -1):
        return 0
    end = index + 1
    while end + 1 < len(text) and ord(text[end + 1]) - ord(text[end]) == step:
        end += 1
    length = end - index + 1
    return length if length >= MIN_REPEAT else 0
