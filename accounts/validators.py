import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_TIME_ZONE = _("“%(value)s” is not a time zone; pick one such as Asia/Kuala_Lumpur.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(INVALID_TIME_ZONE, code="invalid_time_zone", params={"value": value})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]
