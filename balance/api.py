"""Statistics under /api/v1/stats/: the dashboard's figures as JSON, with its filters and
its permissions (the secretariat everything, an office its own institutions)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from balance import cache, co2, stats, tables
from balance.access import viewer_scope
from balance.figures import export_value
from balance.forms import StatsFilterForm

PARAMETERS = [
    OpenApiParameter(
        "year",
        {
            "type": "integer",
            "minimum": StatsFilterForm.base_fields["year"].min_value,
            "maximum": StatsFilterForm.base_fields["year"].max_value,
        },
        description="Exchanges whose term starts in it (not with date_from or date_to).",
    ),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Terms starting on or after."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Terms starting on or before."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["coil", "virtual_mobility", "blended"]),
    OpenApiParameter(
        "priority",
        OpenApiTypes.STR,
        enum=[
            "quality_recognition",
            "business_industry",
            "balanced_mobility",
            "lifelong_learning",
        ],
    ),
    OpenApiParameter("level", OpenApiTypes.STR, enum=["4", "5", "6", "7", "8", "nonformal"]),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        enum=["asia", "europe"],
        description="Kind, priority and level then apply to that region's offer only.",
    ),
]


def table_json(table: stats.Table) -> dict:
    return {
        "title": str(table.title),
        "note": str(table.note),
        "columns": [{"key": c.key, "label": str(c.label), "type": c.kind} for c in table.columns],
        "rows": [{c.key: table.value(row, c) for c in table.columns} for row in table.rows],
    }


def statistics_json(figures: stats.Statistics, form: StatsFilterForm, scope) -> dict:
    f = figures.filters
    return {
        "scope": {
            "all": scope is None,
            "institutions": [{"id": i.pk, "name": i.name} for i in stats.scope_institutions(scope)],
        },
        "filters": {
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "kind": f.kind or None,
            "priority": f.priority or None,
            "level": f.level or None,
            "region": f.region or None,
        },
        "summary": {
            row["key"]: export_value(row["kind"], row["value"])
            for row in figures.tables["summary"].rows
        },
        "co2_method": {
            "distance": "great-circle (haversine) distance between the two countries' capitals",
            "return_trip": True,
            "kg_co2e_per_passenger_km": co2.EMISSION_FACTOR_KG_PER_PKM,
            "factor_source": co2.EMISSION_FACTOR_SOURCE,
        },
        "tables": {slug: table_json(figures.tables[slug]) for slug in tables.slugs()},
        "computed_at": timezone.now().isoformat(),
    }


class StatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Exchange balance statistics",
        description="The figures of the statistics dashboard (/statistics/): a summary and "
        "every table, each with its columns and rows. The secretariat sees all exchanges, "
        "a verified international office those of its own institutions; the filters are "
        "those of the page. See docs/statistics.md.",
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="scope, filters, summary, co2_method, tables{slug: {title, "
                "note, columns[{key, label, type}], rows[{key: value}]}}, computed_at",
            ),
            400: OpenApiResponse(description="A filter cannot be used; the body names it."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Neither the secretariat nor an office."),
        },
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        try:
            scope = viewer_scope(request.user)
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied() from None
        form = StatsFilterForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    ("non_field_errors" if key == "__all__" else key): [str(m) for m in errors]
                    for key, errors in form.errors.items()
                }
            )
        figures = cache.statistics(form.filters(scope))
        return Response(statistics_json(figures, form, scope))


urlpatterns = [path("", StatsView.as_view(), name="stats")]
