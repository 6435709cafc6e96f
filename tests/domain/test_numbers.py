"""Numbers as Indonesian sellers write them, read exactly."""

from fractions import Fraction

import pytest

from domain.numbers import JUTA, MILIAR, read_figure, scaled


@pytest.mark.parametrize(
    ("text", "whole", "decimal"),
    [
        ("145", 145, Fraction(145)),
        ("145.515", 145_515, Fraction("145.515")),
        ("67,000", 67_000, Fraction(67)),
        ("570,000,000", 570_000_000, None),
        ("165.000.000", 165_000_000, None),
        ("108.000.000,00", 108_000_000, None),
        ("88,5", None, Fraction("88.5")),
        ("1.25", None, Fraction("1.25")),
        ("28.xxx", 28_000, None),
        ("6x.xxx", None, None),
        ("9" * 400, None, None),
    ],
)
def test_read_figure(text, whole, decimal):
    figure = read_figure(text)
    assert figure is not None
    assert (figure.whole, figure.decimal) == (whole, decimal)


@pytest.mark.parametrize(
    ("text", "multiplier", "value"),
    [
        ("88,5", JUTA, 88_500_000),
        ("97.5", JUTA, 97_500_000),
        ("1,2", MILIAR, 1_200_000_000),
        ("1.195", MILIAR, 1_195_000_000),
        ("1.250", JUTA, 1_250_000_000),
        ("67.5", 1000, 67_500),
        ("28.xxx", 1, 28_000),
        ("6x.xxx", 1, None),
        ("9" * 400, JUTA, None),
    ],
)
def test_scaled(text, multiplier, value):
    figure = read_figure(text)
    assert figure is not None
    assert scaled(figure, multiplier) == value


def test_not_a_number():
    assert read_figure("abc") is None
    assert read_figure("") is None
