"""Numbers as readers expect them, in each language."""

import pytest

from domain.formatting import kilometres, rupiah, seconds


def test_rupiah_and_kilometres_use_dots_for_thousands():
    assert rupiah(145_000_000) == "Rp 145.000.000"
    assert kilometres(145_515) == "145.515 km"


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [(1.44, "id", "1,4 dtk"), (1.44, "en", "1.4 s"), (12.0, "id", "12,0 dtk"), (None, "id", "-")],
)
def test_seconds_in_each_language(value, language, shown):
    assert seconds(value, language) == shown
