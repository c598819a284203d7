"""The world of hand-computed exchanges lives in tests/balance/world.py (the browser test
uses it too)."""

from tests.balance.world import world  # noqa: F401
