"""{% response_time offer.owner as rt %}: how quickly a lecturer usually answers proposals."""

from django import template

from exchanges.selectors import response_time_text

register = template.Library()


@register.simple_tag
def response_time(user) -> str:
    """“Jan de Vries usually answers proposals within 2 days.”, or "" with fewer than two
    answered proposals."""
    if user is None or getattr(user, "pk", None) is None:
        return ""
    return response_time_text(user, name=user.full_name or "")
