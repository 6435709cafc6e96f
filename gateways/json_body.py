"""Reading a webhook body as JSON without letting a hostile or clumsy one cost more than a 400.

- Nesting deeper than MAX_DEPTH is refused (Python's parser would raise RecursionError near
  1,000 levels, and anything that walks the result later could too).
- A number that is not a plain, finite number of at most MAX_INT_DIGITS digits (Python refuses
  to read integers over 4,300 digits; `1e999` is infinity) becomes an `UnusableNumber`: no
  adapter accepts it as a number, so only the message that holds it is refused.
- A lone surrogate escape (`"\\ud83d"`, what JavaScript gateways write when they cut a text
  inside an emoji) cannot be stored or encoded as UTF-8: it is replaced by U+FFFD.
- A NUL character (`"\\u0000"`) cannot be stored in PostgreSQL's text: it is removed (it shows
  as nothing anyway).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from gateways.errors import BadPayload

MAX_DEPTH = 64
MAX_INT_DIGITS = 20  # more than any count or time a gateway sends (JavaScript stops at 2**53)
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
REPLACEMENT = "\ufffd"


class UnusableNumber:
    """A number in a payload that cannot be used as one (too long, not finite)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text[:40]

    def __repr__(self) -> str:
        return f"UnusableNumber({self.text!r}...)"


def _integer(text: str) -> int | UnusableNumber:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else UnusableNumber(text)


def _real(text: str) -> float | UnusableNumber:
    value = float(text)
    return value if math.isfinite(value) else UnusableNumber(text)


def parse_json(body: bytes) -> Any:
    """The JSON value of `body`, checked and repaired as the module says. Raises BadPayload."""
    try:
        data = json.loads(
            body, parse_int=_integer, parse_float=_real, parse_constant=UnusableNumber
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload(f"body is not JSON: {exc.__class__.__name__}") from None
    except RecursionError:
        raise BadPayload(f"body is nested deeper than {MAX_DEPTH} levels") from None
    return _checked(data, b"\\ud" in body.lower() or b"\\u0000" in body)


def _checked(data: Any, may_need_repair: bool) -> Any:
    """Walk the value without recursion: refuse deep nesting, repair lone surrogates."""
    if isinstance(data, str):
        return _repaired(data) if may_need_repair else data
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise BadPayload(f"body is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            if may_need_repair:
                for key in [k for k in node if _UNSTORABLE.search(k)]:
                    node[_repaired(key)] = node.pop(key)
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, value in list(items):
            if isinstance(value, str):
                if may_need_repair:
                    node[key] = _repaired(value)
            elif isinstance(value, dict | list):
                pending.append((value, depth + 1))
    return data


def _repaired(text: str) -> str:
    return _UNSTORABLE.sub(lambda found: "" if found[0] == "\x00" else REPLACEMENT, text)
