"""GET /api/v1/offers/{id}/suggestions/ — an offer's partner suggestions, explained."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from matching import engine, nearby
from matching.forms import SuggestionFilterForm
from offers.access import offer_access
from offers.models import Offer
from offers.selectors import get_offer_for_user

MAX_K = 50


def _choices_schema(name: str) -> dict:
    """A filter of the form as an OpenAPI enum ("" is any)."""
    return {
        "type": "string",
        "enum": [str(value) for value, _label in SuggestionFilterForm.base_fields[name].choices],
    }


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    value = serializers.FloatField()
    weight = serializers.FloatField()
    text = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    partner_id = serializers.IntegerField()
    title = serializers.CharField()
    institution = serializers.CharField()
    country = serializers.CharField()
    region = serializers.CharField()
    isced = serializers.CharField()
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)


class NearFieldSerializer(serializers.Serializer):
    isced = serializers.CharField()
    label = serializers.CharField()
    open_offers = serializers.IntegerField()


@extend_schema(
    summary="Partner suggestions for an offer, best first, each explained",
    parameters=[
        OpenApiParameter(
            "k",
            {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10},
            description=f"How many, 1 to {MAX_K} (10).",
        ),
        OpenApiParameter(
            "country",
            {"type": "string", "pattern": "^[A-Z]{2}$"},
            description="Partner country (ISO code).",
        ),
        *(
            OpenApiParameter(name, _choices_schema(name), description=str(field.label))
            for name, field in SuggestionFilterForm.base_fields.items()
            if name != "country"
        ),
    ],
    responses=inline_serializer(
        "Suggestions",
        {
            "offer_id": serializers.IntegerField(),
            "results": SuggestionSerializer(many=True),
            "nearest_fields": NearFieldSerializer(
                many=True,
                help_text="When no partner shares the offer's subject (and no filter is "
                "set): the nearest ISCED-F fields with open offers in the other region.",
            ),
        },
    ),
)
@api_view(["GET"])
def offer_suggestions(request: Request, pk: int) -> Response:
    offer = get_offer_for_user(request.user, pk)
    if not offer_access(request.user, offer).can_see_suggestions:
        raise PermissionDenied
    try:
        k = int(request.query_params.get("k", 10))
    except ValueError:
        raise ValidationError({"k": [f"k is a whole number from 1 to {MAX_K}."]}) from None
    if not 1 <= k <= MAX_K:
        raise ValidationError({"k": [f"k is a whole number from 1 to {MAX_K}."]})
    form = SuggestionFilterForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    matches = engine.suggestions(offer, k=k, filters=form.filters())
    partners = Offer.objects.select_related("institution").in_bulk([m.partner_id for m in matches])
    results = [
        {
            "partner_id": m.partner_id,
            "title": partners[m.partner_id].title,
            "institution": partners[m.partner_id].institution.name,
            "country": partners[m.partner_id].country_id,
            "region": partners[m.partner_id].region,
            "isced": partners[m.partner_id].isced_id,
            "score": round(m.score, 4),
            "reasons": [r.as_dict() for r in m.reasons],
        }
        for m in matches
        if m.partner_id in partners
    ]
    # Nothing shares subject yet: where the nearest open offers of the other region are.
    unfiltered = form.filters() == engine.SuggestionFilters()
    near = nearby.nearest_fields(offer) if not results and unfiltered else []
    return Response(
        {
            "offer_id": offer.pk,
            "results": results,
            "nearest_fields": [
                {"isced": f.code, "label": f.label, "open_offers": f.offers} for f in near
            ],
        }
    )


urlpatterns = [
    path("offers/<int:pk>/suggestions/", offer_suggestions, name="offer-suggestions"),
]
