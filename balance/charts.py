"""The dashboard's charts as inline SVG, drawn on the server: no script, no library, no
CDN. Each chart has a <title> and <desc> and sits above a table with the same figures;
the templates wrap it in a <figure>."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from balance.templatetags.balance import fmt_index, fmt_int

ASIA, EUROPE, INK, MUTED, GRID = "#b4470f", "#0b5cab", "#1b1f24", "#4f5a66", "#d0d7de"
FUNNEL = "#3d4f63"
WIDTH = 720


def _svg(chart_id: str, height: int, title: str, desc: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet" '
        'font-family="system-ui, sans-serif" font-size="13">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def _legend(y: int) -> SafeString:
    return format_html(
        '<g class="legend"><rect x="160" y="{y}" width="14" height="14" fill="{a}"/>'
        '<text x="180" y="{ty}" fill="{ink}">{la}</text>'
        '<rect x="360" y="{y}" width="14" height="14" fill="{e}"/>'
        '<text x="380" y="{ty}" fill="{ink}">{le}</text></g>',
        y=y,
        ty=y + 12,
        a=ASIA,
        e=EUROPE,
        ink=INK,
        la=_("Asia → Europe"),
        le=_("Europe → Asia"),
    )


def country_flows(rows: list[dict]) -> SafeString:
    """Two bars per country: participants Asia → Europe and Europe → Asia."""
    label_w, bar_w, row_h, top = 150, 480, 36, 30
    peak = max([r["a"] for r in rows] + [r["e"] for r in rows] + [1])
    parts = [_legend(4)]
    for i, r in enumerate(rows):
        y = top + i * row_h
        parts.append(
            format_html(
                '<g class="bar-row"><text x="{lx}" y="{ly}" text-anchor="end" fill="{ink}">'
                "{label}</text>"
                '<rect x="{x}" y="{y1}" width="{wa}" height="13" fill="{a}"/>'
                '<text x="{ta}" y="{y1t}" fill="{ink}" font-size="12">{va}</text>'
                '<rect x="{x}" y="{y2}" width="{we}" height="13" fill="{e}"/>'
                '<text x="{te}" y="{y2t}" fill="{ink}" font-size="12">{ve}</text></g>',
                lx=label_w - 8,
                ly=y + 18,
                ink=INK,
                label=r["label"],
                x=label_w,
                y1=y + 2,
                y1t=y + 13,
                wa=round(bar_w * r["a"] / peak, 1),
                a=ASIA,
                ta=round(label_w + bar_w * r["a"] / peak + 4, 1),
                va=fmt_int(r["a"]),
                y2=y + 17,
                y2t=y + 28,
                we=round(bar_w * r["e"] / peak, 1),
                e=EUROPE,
                te=round(label_w + bar_w * r["e"] / peak + 4, 1),
                ve=fmt_int(r["e"]),
            )
        )
    if not rows:
        parts.append(_empty(top + 20))
    height = top + max(len(rows), 1) * row_h + 8
    return _svg(
        "chart-countries",
        height,
        _("Participants by direction per country"),
        _("Horizontal bars, two per country; the table below holds the same figures."),
        mark_safe("".join(parts)),  # noqa: S308 - every part is format_html output
    )


def _empty(y: int) -> SafeString:
    return format_html(
        '<text x="{x}" y="{y}" text-anchor="middle" fill="{c}">{t}</text>',
        x=WIDTH // 2,
        y=y,
        c=MUTED,
        t=_("No exchanges match these filters."),
    )


@dataclass(frozen=True)
class _IndexPlot:
    """Where the index chart puts a term and a value: terms side by side, the index from
    +1 (top) to −1."""

    terms: int
    left: int = 56
    right: int = 16
    top: int = 16
    plot_h: int = 200

    def x(self, i: int) -> float:
        step = (WIDTH - self.left - self.right) / max(self.terms, 1)
        return round(self.left + step * (i + 0.5), 1)

    def y(self, v: float) -> float:
        return round(self.top + (1 - v) / 2 * self.plot_h, 1)


def _index_grid(plot: _IndexPlot) -> list[SafeString]:
    return [
        format_html(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="{w}"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" fill="{m}" font-size="12">{v}</text>',
            x1=plot.left,
            x2=WIDTH - plot.right,
            y=plot.y(v),
            c=INK if v == 0 else GRID,
            w=1.5 if v == 0 else 1,
            tx=plot.left - 6,
            ty=plot.y(v) + 4,
            m=MUTED,
            v=fmt_index(v),
        )
        for v in (1, 0.5, 0, -0.5, -1)
    ]


def _term_axis(plot: _IndexPlot, points: list[dict]) -> list[SafeString]:
    """Each term's label under its place: the year, and the half-year below it."""
    parts = []
    for i, p in enumerate(points):
        year, _sep, half = p["label"].partition(" ")
        parts.append(
            format_html(
                '<text x="{x}" y="{y1}" text-anchor="middle" fill="{ink}" font-size="12">{a}'
                '</text><text x="{x}" y="{y2}" text-anchor="middle" fill="{m}" '
                'font-size="11">{b}</text>',
                x=plot.x(i),
                y1=plot.top + plot.plot_h + 20,
                y2=plot.top + plot.plot_h + 36,
                ink=INK,
                m=MUTED,
                a=year,
                b=half,
            )
        )
    return parts


def _index_lines(coords: list[tuple[float, float] | None]) -> list[SafeString]:
    """One line through each run of terms with an index: a term without one breaks it."""
    parts, segment = [], []
    for c in [*coords, None]:
        if c is not None:
            segment.append(f"{c[0]},{c[1]}")
            continue
        if len(segment) > 1:
            parts.append(
                format_html(
                    '<polyline points="{p}" fill="none" stroke="{c}" stroke-width="2.5"/>',
                    p=" ".join(segment),
                    c=EUROPE,
                )
            )
        segment = []
    return parts


def _index_dots(plot: _IndexPlot, coords, points: list[dict]) -> list[SafeString]:
    """A dot and its value per term with an index, the value clear of the line."""
    parts = []
    for c, p in zip(coords, points, strict=True):
        if c is None:
            continue
        below = p["index"] < 0 or c[1] <= plot.top + 20
        parts.append(
            format_html(
                '<circle cx="{x}" cy="{y}" r="5" fill="{c}"/>'
                '<text x="{x}" y="{ty}" text-anchor="middle" fill="{ink}" font-size="12" '
                'font-weight="600">{v}</text>',
                x=c[0],
                y=c[1],
                c=EUROPE,
                ty=c[1] + 20 if below else c[1] - 10,
                ink=INK,
                v=fmt_index(p["index"]),
            )
        )
    return parts


def index_over_time(points: list[dict]) -> SafeString:
    """The balance index per term on a scale from −1 to +1, 0 (balanced) marked."""
    plot = _IndexPlot(terms=len(points))
    coords = [
        None if p["index"] is None else (plot.x(i), plot.y(p["index"]))
        for i, p in enumerate(points)
    ]
    parts = [
        *_index_grid(plot),
        *_term_axis(plot, points),
        *_index_lines(coords),
        *_index_dots(plot, coords, points),
    ]
    if not points:
        parts.append(_empty(plot.top + plot.plot_h / 2))
    return _svg(
        "chart-index",
        plot.top + plot.plot_h + 56,
        _("Balance index per term"),
        _(
            "A line from term to term on a scale from −1 to +1; above 0 more participants "
            "go from Asia to Europe, below 0 from Europe to Asia. The table below holds "
            "the same figures."
        ),
        mark_safe("".join(parts)),  # noqa: S308 - every part is format_html output
    )


def funnel(stages: list[dict]) -> SafeString:
    """One centred bar per stage, as wide as its number."""
    row_h, top, bar_max = 46, 8, 440
    peak = max([s["value"] for s in stages] + [1])
    parts = []
    for i, s in enumerate(stages):
        w = round(bar_max * s["value"] / peak, 1)
        y = top + i * row_h
        parts.append(
            format_html(
                '<g class="stage"><text x="8" y="{ty}" fill="{ink}">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="28" rx="3" fill="{c}"/>'
                '<text x="{vx}" y="{ty}" fill="{ink}" font-weight="600">{v}</text></g>',
                ty=y + 19,
                ink=INK,
                label=s["label"],
                x=190,
                y=y,
                w=max(w, 1),
                c=FUNNEL,
                vx=round(190 + max(w, 1) + 8, 1),
                v=fmt_int(s["value"]),
            )
        )
    return _svg(
        "chart-funnel",
        top + len(stages) * row_h,
        _("Pipeline from offers to completed exchanges"),
        _("One bar per stage, as long as its number; the table below holds the same figures."),
        mark_safe("".join(parts)),  # noqa: S308 - every part is format_html output
    )
