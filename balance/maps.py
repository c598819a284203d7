"""The map of the ASEM partner countries, as inline SVG drawn on the server from
data/asem_map.json (Natural Earth, public domain; built by `manage.py build_asem_map`).

Each country carries two colour classes, one by its balance index and one by its
participants; the page's "colour by" radio buttons pick which one shows, with CSS alone.
The map is a picture of the table beside it, which holds the same figures: every country
has a <title> (what a pointer or a screen reader's graphics mode reads), a country without
exchanges is hatched rather than only pale, and the small countries carry a marker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from balance.figures import Flow
from balance.templatetags.balance import fmt_index, fmt_int
from core.balance_rules import index_leaning, index_reading
from core.locale_names import country_name

# Balance classes, from "leans far towards Asia" to "leans far towards Europe". The
# middle one is the ±BALANCED_BAND of balance.figures.
INDEX_CLASSES = [
    ("b1", -1.0, -0.5, gettext_lazy("−1 to −0.5: far towards Asia")),
    ("b2", -0.5, -0.05, gettext_lazy("−0.5 to −0.05: towards Asia")),
    ("b3", -0.05, 0.05, gettext_lazy("−0.05 to +0.05: balanced")),
    ("b4", 0.05, 0.5, gettext_lazy("+0.05 to +0.5: towards Europe")),
    ("b5", 0.5, 1.0, gettext_lazy("+0.5 to +1: far towards Europe")),
]
FLOW_CLASSES = ("f1", "f2", "f3", "f4")


@cache
def outlines() -> dict:
    return json.loads((settings.TANDEM_DATA_DIR / "asem_map.json").read_text())


def index_class(index: float | None) -> str:
    if index is None:
        return "none"
    leaning = index_leaning(index)
    if leaning == "balanced":
        return "b3"
    if leaning == "asia":
        return "b1" if index <= -0.5 else "b2"
    return "b5" if index >= 0.5 else "b4"


def flow_breaks(totals: list[int]) -> list[int]:
    """The upper bounds of the four participant classes: quartiles of the countries with
    any participant, so that the colours spread whatever the scale."""
    values = sorted(v for v in totals if v > 0)
    if not values:
        return []
    bounds = []
    for q in (0.25, 0.5, 0.75):
        bound = values[min(len(values) - 1, int(q * len(values)))]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    if values[-1] > bounds[-1]:
        bounds.append(values[-1])
    return bounds


def flow_classes(breaks: list[int]) -> tuple[str, ...]:
    """The classes of the breaks in use: the darkest always marks the most participants."""
    return FLOW_CLASSES[len(FLOW_CLASSES) - len(breaks) :]


def flow_class(total: int, breaks: list[int]) -> str:
    if total <= 0:
        return "none"
    classes = flow_classes(breaks)
    for i, bound in enumerate(breaks):
        if total <= bound:
            return classes[i]
    return classes[-1]


@dataclass
class MapCountry:
    code: str
    name: str
    flow: Flow

    @property
    def label(self) -> str:
        f = self.flow
        if not f.total and not f.n:
            return _("%(country)s: no exchanges") % {"country": self.name}
        return ngettext(
            "%(country)s: %(n)s exchange; %(a)s participants Asia → Europe, %(e)s Europe → "
            "Asia; balance index %(index)s (%(reading)s)",
            "%(country)s: %(n)s exchanges; %(a)s participants Asia → Europe, %(e)s Europe → "
            "Asia; balance index %(index)s (%(reading)s)",
            f.n,
        ) % {
            "country": self.name,
            "n": fmt_int(f.n),
            "a": fmt_int(f.a),
            "e": fmt_int(f.e),
            "index": fmt_index(f.index),
            "reading": index_reading(f.index),
        }


def countries(flows: dict[str, Flow], names: dict[str, str], shown: list[str]) -> list[dict]:
    """The map table's rows: every ASEM country of the map that the filters show (all,
    or the chosen region's), most participants first, those without exchanges last."""
    data = outlines()["countries"]
    rows = []
    for code in shown:
        if code in data:
            # A country with no row in the database yet is named from CLDR too.
            name = names.get(code) or country_name(code, data[code]["name"])
            rows.append(_row(code, name, flows.get(code)))
    return rows


def _row(code: str, name: str, flow: Flow | None) -> dict:
    flow = flow or Flow()
    return {
        "code": code,
        "name": name,
        "n": flow.n,
        "a": flow.a,
        "e": flow.e,
        "total": flow.total,
        "index": flow.index,
        "reading": index_reading(flow.index),
        "label": MapCountry(code, name, flow).label,
    }


def svg(rows: list[dict]) -> SafeString:
    """The map: the context in grey, then each country of `rows` with its two classes."""
    data = outlines()
    breaks = flow_breaks([r["total"] for r in rows])
    shown = {r["code"]: r for r in rows}
    x0, y0, width, height = data["viewbox"]
    shapes, markers = [], []
    for code, outline in data["countries"].items():
        row = shown.get(code)
        if row is None:  # the other region, when the filters chose one: grey, unnamed
            if outline["path"]:
                shapes.append(format_html('<path class="other" d="{}"/>', outline["path"]))
            elif "marker" in outline:
                x, y = outline["marker"]
                shapes.append(format_html('<circle class="other" cx="{}" cy="{}" r="4"/>', x, y))
            continue
        classes = f"country b-{index_class(row['index'])} f-{flow_class(row['total'], breaks)}"
        marker = ""
        if "marker" in outline:
            x, y = outline["marker"]
            marker = format_html('<circle class="marker" cx="{}" cy="{}" r="5"/>', x, y)
        group = format_html(
            '<g class="{classes}" tabindex="0" data-code="{code}" data-label="{label}">'
            "<title>{label}</title>{path}{marker}</g>",
            classes=classes,
            code=code,
            label=row["label"],
            path=format_html('<path d="{}"/>', outline["path"]) if outline["path"] else "",
            marker=marker,
        )
        # Markers last, so that no neighbour covers them.
        (markers if marker else shapes).append(group)
    return format_html(
        '<svg class="asem-map" viewBox="{x0} {y0} {w} {h}" width="100%" role="group" '
        'aria-labelledby="map-title map-desc" preserveAspectRatio="xMidYMid meet">'
        '<title id="map-title">{title}</title><desc id="map-desc">{desc}</desc>'
        '<defs><pattern id="map-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>'
        '<path class="context" d="{context}" aria-hidden="true"/>{shapes}{markers}</svg>',
        x0=x0,
        y0=y0,
        w=width,
        h=height,
        title=_("Map of the ASEM partner countries"),
        desc=_(
            "Each country coloured by its balance index or its participants; countries "
            "without exchanges are hatched; small countries are circled. The table next "
            "to the map holds the same figures."
        ),
        context=data["context"],
        shapes=format_html_join("", "{}", ((s,) for s in shapes)),
        markers=format_html_join("", "{}", ((m,) for m in markers)),
    )


def flow_legend(rows: list[dict]) -> list[tuple[str, str]]:
    """(class, label) of each participants class in use."""
    breaks = flow_breaks([r["total"] for r in rows])
    out, low = [], 1
    for key, bound in zip(flow_classes(breaks), breaks, strict=True):
        label = fmt_int(low) if low == bound else f"{fmt_int(low)}–{fmt_int(bound)}"
        out.append((key, label))
        low = bound + 1
    return out
