"""Match explanations in the reader's language.

The pure scoring module writes each reason as an English template and its values;
here the template is translated and the values put back, with language and priority
names translated too."""

from django import template
from django.utils.translation import gettext

from core.locale_names import current_locale
from core.time_zones import zone_name
from core.vocabulary import WEEKDAYS
from matching.overlap import Slot
from offers.languages import LANGUAGE_NAMES
from offers.models import Priority

register = template.Library()


def level_name(code: str) -> str:
    if code == "nonformal":
        return gettext("non-formal")
    return gettext("EQF %(level)s") % {"level": code}


def _day_namer():
    locale = current_locale()
    if locale is None:
        return WEEKDAYS.__getitem__
    names = locale.days["format"]["abbreviated"]
    return names.__getitem__


def slots_text(spans) -> str:
    """Shared slots in the reader's language: weekdays and zone names from CLDR."""
    day = _day_namer()

    def place(times: str, tz: str) -> str:
        # Translators: a weekly time span and its time zone, e.g. "Tue 15:00–17:00 Japan Time".
        return gettext("%(times)s %(zone)s") % {"times": times, "zone": zone_name(tz)}

    return "; ".join(Slot.from_span(span).text(day, place) for span in spans)


@register.filter
def reason_text(reason) -> str:
    data = reason.as_dict() if hasattr(reason, "as_dict") else reason
    template_text = data.get("template")
    if not template_text:
        return data.get("text", "")
    params = dict(data.get("params") or {})
    if params.get("language_code") in LANGUAGE_NAMES:
        params["language"] = str(LANGUAGE_NAMES[params["language_code"]])
    if params.get("priority_code") in Priority.values:
        params["priority"] = str(Priority(params["priority_code"]).label).lower()
    if params.get("slot_spans"):
        params["slots"] = slots_text(params["slot_spans"])
    for name, code in (("level", "level_code"), ("other", "other_code")):
        if code in params:
            params[name] = level_name(params[code])
    try:
        return gettext(template_text) % params
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the reason.
        return data.get("text", "")
