"""The webhook secret rule: padding, repetition, runs and defaults are refused; random is not."""

import secrets

import pytest

from gateways.secret_strength import estimated_bits, secret_weakness


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("", "missing"),
        ("password", "default"),
        ("short-but-ok", "shorter than 16"),
        ("abc             ", "whitespace"),
        ("   padded-secret-value   ", "whitespace"),
        ("random-value\n", "whitespace"),
        ("aaaaaaaaaaaaaaaa", "predictable"),
        ("secretsecretsecret", "predictable"),
        ("abcdefghijklmnop", "predictable"),
        ("password12345678", "predictable"),
        ("admin-admin-admin-admin", "predictable"),
        ("change-me-to-a-long-random-value", "placeholder"),
    ],
)
def test_weak_secrets_are_refused_with_the_reason(secret, why):
    weakness = secret_weakness(secret)
    assert weakness is not None and why in weakness


def test_generated_secrets_pass():
    for _ in range(200):
        assert secret_weakness(secrets.token_urlsafe(32)) is None
        assert secret_weakness(secrets.token_hex(16)) is None
    assert secret_weakness("k3Jx9-long-enough-webhook-secret") is None


def test_repetition_counts_once():
    assert estimated_bits("secretsecretsecret") == pytest.approx(estimated_bits("secrets"), abs=3)
    assert estimated_bits("a" * 64) < 4
