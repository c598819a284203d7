"""The statistics pages: the dashboard and the exports of its tables (CSV, XLSX).

The secretariat sees every exchange; a verified international office the exchanges and
offers of its own institutions (balance.access); anyone else gets 403, a visitor the
sign-in page. The filters come from the query string and are the same for the page, the
exports and the API; the scope never does."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from balance import cache, charts, co2, compare, exporting, maps, stats, tables
from balance.access import viewer_scope
from balance.forms import StatsFilterForm
from core.balance_rules import index_leaning, index_reading

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filter_query(form: StatsFilterForm) -> str:
    """The query string of the filters alone, for the export links."""
    data = {name: form.data.get(name, "") for name in form.fields}
    return urlencode({k: v for k, v in data.items() if v})


def scope_label(scope) -> str:
    if scope is None:
        return _("All ASEM partners")
    names = [i.name for i in stats.scope_institutions(scope)]
    return _("Exchanges and offers of %(names)s") % {"names": ", ".join(names)}


def about(form: StatsFilterForm, scope) -> list[tuple[str, str]]:
    rows = [(_("Scope"), scope_label(scope))]
    rows += form.applied() if form.is_valid() else []
    rows.append((_("Computed at (UTC)"), timezone.now().strftime("%Y-%m-%d %H:%M")))
    return rows


# The page's sections, in order: (anchor, title) for the contents bar and the tabs.
SECTIONS = [
    ("overview", gettext_lazy("Overview")),
    ("pipeline", gettext_lazy("Pipeline")),
    ("countries", gettext_lazy("Countries and map")),
    ("time", gettext_lazy("Over time")),
    ("kinds", gettext_lazy("COIL and virtual mobility")),
    ("priorities", gettext_lazy("Thematic priorities")),
    ("levels", gettext_lazy("Levels and fields")),
    ("sdgs", gettext_lazy("SDGs")),
    ("coverage", gettext_lazy("Coverage")),
    ("co2", gettext_lazy("CO₂ avoided")),
]


def previous_year(form: StatsFilterForm, figures: stats.Statistics) -> list | None:
    """The headline figures against the year before the selected one (same filters and
    scope), or None without a selected year."""
    year = form.cleaned_data.get("year")
    if not year:
        return None
    before = dataclasses.replace(
        figures.filters, date_from=dt.date(year - 1, 1, 1), date_to=dt.date(year - 1, 12, 31)
    )
    return compare.year_on_year(figures.summary, cache.statistics(before).summary)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = viewer_scope(request.user)
    years = cache.years(scope)
    form = StatsFilterForm(request.GET, years=years)
    context = {
        "form": form,
        "scope_label": scope_label(scope),
        "scope_all": scope is None,
        "sections": SECTIONS,
    }
    if not form.is_valid():
        return render(request, "balance/dashboard.html", context, status=400)
    figures = cache.statistics(form.filters(scope))
    index = figures.summary["index"]
    context.update(
        stats=figures,
        tables=figures.tables,
        summary=figures.summary,
        applied=form.applied(),
        query=filter_query(form),
        year=form.cleaned_data.get("year"),
        changes=previous_year(form, figures),
        index_reading=index_reading(index),
        index_leaning=index_leaning(index),
        chart_countries=charts.country_flows(figures.country_chart),
        chart_index=charts.index_over_time(figures.index_chart),
        chart_funnel=charts.funnel(figures.funnel_chart),
        map_svg=maps.svg(figures.map_rows),
        map_rows=figures.map_rows,
        map_index_legend=maps.INDEX_CLASSES,
        map_flow_legend=maps.flow_legend(figures.map_rows),
        factor=co2.EMISSION_FACTOR_KG_PER_PKM,
        factor_source=co2.EMISSION_FACTOR_SOURCE,
        now=timezone.now(),
    )
    return render(request, "balance/dashboard.html", context)


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    scope = viewer_scope(request.user)
    slugs = tables.slugs()
    if fmt not in CONTENT_TYPES or (slug != "all" and slug not in slugs):
        raise Http404
    if slug == "all" and fmt != "xlsx":
        raise Http404
    form = StatsFilterForm(request.GET)
    if not form.is_valid():
        problems = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponse(
            "\n".join(problems) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    figures = cache.statistics(form.filters(scope))
    if fmt == "csv":
        body = exporting.table_csv(figures.tables[slug])
    else:
        body = exporting.workbook(figures, slugs if slug == "all" else [slug], about(form, scope))
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.now().strftime("%Y-%m-%d")
    name = f"tandem-balance-{slug.replace('_', '-')}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
