"""The proposal API tests use the offers API fixtures."""

from tests.offers.conftest import erin, thai_institution  # noqa: F401
