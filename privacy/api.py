"""GET /api/v1/me/export/: everything Tandem keeps about the signed-in person."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import TandemAPIView
from privacy.archive import ArchiveSerializer, build_archive


class ExportView(TandemAPIView):
    @extend_schema(
        summary="Download all my data",
        description=(
            "Your profile, affiliations, offers, the proposals you took part in (with "
            "their timeline), your chat messages and your notifications: the same archive "
            "as the privacy page's download. Other people's messages and addresses are "
            "not in it."
        ),
        responses={200: ArchiveSerializer},
    )
    def get(self, request: Request) -> Response:
        response = Response(build_archive(request.user))
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [path("me/export/", ExportView.as_view(), name="me-export")]
