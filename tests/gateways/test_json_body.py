"""Hostile JSON: refused or repaired, never an exception other than BadPayload."""

import pytest

from gateways.errors import BadPayload
from gateways.json_body import MAX_DEPTH, UnusableNumber, parse_json


def test_lone_surrogates_are_replaced_in_values_and_keys():
    data = parse_json(b'{"a\\ud800": ["x\\udfff", {"t": "\\ud83d"}], "ok": "\\ud83d\\ude00"}')
    assert data == {"a\ufffd": ["x\ufffd", {"t": "\ufffd"}], "ok": "\U0001f600"}
    assert parse_json(b'"\\uD83D"') == "\ufffd"


@pytest.mark.parametrize(
    "body", [b"[" * 50_000 + b"]" * 50_000, b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)]
)
def test_deep_nesting_is_refused(body):
    with pytest.raises(BadPayload, match="nested deeper"):
        parse_json(body)


def test_unusable_numbers_are_kept_apart():
    data = parse_json(b'{"big": ' + b"9" * 5000 + b', "inf": 1e999, "nan": NaN, "ok": 12}')
    assert isinstance(data["big"], UnusableNumber) and isinstance(data["inf"], UnusableNumber)
    assert isinstance(data["nan"], UnusableNumber) and data["ok"] == 12


def test_nul_characters_are_removed_so_the_text_can_be_stored_on_postgresql():
    data = parse_json(b'{"text": "ada avanza\\u0000 dibawah 160jt?", "k\\u0000ey": ["a\\u0000"]}')
    assert data == {"text": "ada avanza dibawah 160jt?", "key": ["a"]}
