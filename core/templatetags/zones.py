"""{{ zone|zone_name }}: a tz name as the reader's language says it."""

from django import template

from core.time_zones import zone_name as _zone_name

register = template.Library()


@register.filter
def zone_name(zone: str | None) -> str:
    return _zone_name(zone)
