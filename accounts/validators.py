import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_TIME_ZONE = _("“%(value)s” is not a time zone; pick one such as Asia/Kuala_Lumpur.")


@functools.cache
def known_time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: tens of milliseconds a call.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(INVALID_TIME_ZONE, code="invalid_time_zone", params={"value": value})
