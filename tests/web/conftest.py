"""The web floor's tests run against a whole showroom too (its fixture lives with the
whole-program tests)."""

from tests.system.conftest import SECRET, make_settings, showroom

__all__ = ["SECRET", "make_settings", "showroom"]
