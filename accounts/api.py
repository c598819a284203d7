from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Affiliation, User


class AffiliationSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.name")
    country = serializers.CharField(source="institution.country_id")
    region = serializers.CharField(source="institution.country.region")

    class Meta:
        model = Affiliation
        fields = ["id", "institution", "country", "region", "role", "status"]


class MeSerializer(serializers.ModelSerializer):
    affiliations = AffiliationSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "preferred_language",
            "time_zone",
            "is_secretariat",
            "affiliations",
        ]


@extend_schema(responses=MeSerializer, summary="The signed-in user and their affiliations")
@api_view(["GET"])
def me(request: Request) -> Response:
    user = User.objects.prefetch_related("affiliations__institution__country").get(
        pk=request.user.pk
    )
    return Response(MeSerializer(user).data)


urlpatterns = [path("me/", me, name="me")]
