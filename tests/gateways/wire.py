"""Webhook bodies as each gateway's runtime writes them, byte for byte: a signature is over
those exact bytes, so a test that signs a re-serialised payload proves nothing about the real
ones. The source payloads (payloads/source/*.json) name their runtime."""

from __future__ import annotations

import json
from typing import Any


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _go_escaped(text: str) -> bytes:
    """encoding/json's HTMLEscape (on by default for json.Marshal): <, > and & inside strings
    as \\u003c, \\u003e, \\u0026, and U+2028/U+2029 escaped too; all else raw UTF-8. (JSON's
    own punctuation never contains these characters, so replacing them all is exact.)"""
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text.encode()


def go_map(value: Any) -> bytes:
    """Go's json.Marshal of map[string]any all the way down: every object's keys sorted."""
    return _go_escaped(json.dumps(_sorted(value), ensure_ascii=False, separators=(",", ":")))


def go_struct(value: dict[str, Any]) -> bytes:
    """Go's json.Marshal of a struct holding maps: the struct's fields in declaration order (as
    the payload lists them), the maps inside with sorted keys."""
    fields = {key: _sorted(item) for key, item in value.items()}
    return _go_escaped(json.dumps(fields, ensure_ascii=False, separators=(",", ":")))


def js(value: Any) -> bytes:
    """JavaScript's JSON.stringify: insertion order, no spaces, non-ASCII as UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def meta(value: Any) -> bytes:
    """Meta's webhooks: no spaces, `/` as `\\/`, every non-ASCII character as \\uXXXX (astral
    ones as surrogate pairs), as PHP's json_encode writes them."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode()


RUNTIMES = {"go-map": go_map, "go-struct": go_struct, "js": js, "meta": meta}
