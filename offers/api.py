"""REST API for offers under /api/v1/: a token, the list with search and filters, the
detail, create, update, publish and close.

Thin views: a serializer reads the request, a selector or a service does the work, a
serializer presents the result. The list's query parameters are read by the page's own
filter form (offers.filters), and documented from it. Who sees what is
selectors.get_offer_for_user and selectors.offer_search, exactly as on the pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Institution, User
from accounts.selectors import lecturer_institution_ids
from core.api import BAD_REQUEST, Conflict, TandemAPIView, service_errors
from offers import selectors, services
from offers.access import offer_access
from offers.filters import PARAMETER_NOTES, OfferFilterForm
from offers.models import Offer
from offers.pagination import SearchPaginator
from offers.serializers import (
    OfferCreateSerializer,
    OfferDetailSerializer,
    OfferInputSerializer,
    OfferListSerializer,
    empty_offer_data,
)

NOT_LECTURER = _("Only verified lecturers register offers; claim your role at your institution.")
SEVERAL_INSTITUTIONS = _(
    "You are a lecturer at several institutions: give the id of the one that offers the course."
)
NOT_EDITOR = _("Only the offer's owner and co-owners can change or publish it.")
NOT_CLOSER = _("Only the offer's owners and its institution's international office can close it.")


class OfferPagination(PageNumberPagination):
    """20 a page, counted as the pages count: ids only, without the ranking."""

    django_paginator_class = SearchPaginator


def _offer_for_editor(user: User, pk: int) -> Offer:
    try:
        return selectors.get_offer_for_user(user, pk, write=True)
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied(NOT_EDITOR) from None


def _detail_response(request: Request, pk: int, *, status_code: int = 200) -> Response:
    offer = selectors.get_offer_for_user(request.user, pk)
    access = offer_access(request.user, offer)
    context = {"request": request, "can_edit": access.can_edit, "can_manage": access.can_manage}
    return Response(OfferDetailSerializer(offer, context=context).data, status=status_code)


def _only_institution(user: User) -> Institution:
    """The institution a lecturer of exactly one offers courses at."""
    ids = lecturer_institution_ids(user)
    if not ids:
        raise exceptions.PermissionDenied(NOT_LECTURER)
    if len(ids) > 1:
        raise exceptions.ValidationError({"institution": [str(SEVERAL_INSTITUTIONS)]})
    return Institution.objects.get(pk=ids.pop())


# --- the list's filters, documented from the page's form -----------------------------------


def _parameter_schema(field: forms.Field) -> dict:
    """A form field's type and limits, as an OpenAPI schema."""
    if isinstance(field, forms.BooleanField):
        return {"type": "boolean", "default": False}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, forms.ModelChoiceField):
        key = field.queryset.model._meta.pk  # what the parameter names an object by
        if isinstance(key, models.IntegerField):
            return {"type": "integer"}
        return {"type": "string", "maxLength": key.max_length}
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices]
        return {"type": "string", "enum": values if "" in values else [*values, ""]}
    if isinstance(field, forms.RegexField):
        pattern = field.regex.pattern.replace("\\A", "^").replace("\\Z", "$")
        return {"type": "string", "pattern": pattern}
    return {"type": "string", "maxLength": field.max_length}


def _parameter_description(name: str, field: forms.Field) -> str:
    note = PARAMETER_NOTES.get(name, "")
    if isinstance(field, forms.ModelChoiceField) or not isinstance(field, forms.ChoiceField):
        return note or str(field.label)
    choices = [f"* `{value}` - {label}" for value, label in field.choices if value]
    return "\n\n".join(part for part in (note, "\n".join(choices)) if part)


def filter_parameters() -> list[OpenApiParameter]:
    """The query parameters of the list: the fields of the page's filter form."""
    return [
        OpenApiParameter(
            name,
            _parameter_schema(field),
            description=lazy(_parameter_description, str)(name, field),
        )
        for name, field in OfferFilterForm.base_fields.items()
    ]


NOT_SIGNED_IN_OR_FORBIDDEN = OpenApiResponse(
    description="Not signed in, or the user may see the offer but not do this."
)
NOT_FOUND = OpenApiResponse(description="No such offer, or the user may not see it.")
CONFLICT = OpenApiResponse(description="The offer's status does not allow this.")


# --- offers ------------------------------------------------------------------------------


class OfferListView(TandemAPIView):
    # Visitors read the public catalogue: open offers, without the owner's name.
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = OfferPagination

    @extend_schema(
        summary="List and search the offers the user may see",
        description="Visitors see open offers only. Signed in, also the user's drafts and "
        "those of institutions whose international office the user is. 20 a page.",
        parameters=filter_parameters(),
        responses={200: OfferListSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        # The page's form reads the filters; a bad one is a 400 naming it, in the page's words.
        with service_errors():
            filters = OfferFilterForm(request.query_params).filters_or_error()
        offers = selectors.with_list_relations(selectors.offer_search(request.user, filters))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(offers, request, view=self)
        data = OfferListSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        summary="Create a draft offer",
        request=OfferCreateSerializer,
        responses={
            201: OfferDetailSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(description="Not a verified lecturer of the institution."),
        },
    )
    def post(self, request: Request) -> Response:
        given = OfferCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        institution = given.validated_data.get("institution") or _only_institution(request.user)
        with service_errors():
            offer = services.offer_create(
                owner=request.user,
                institution=institution,
                data=given.offer_data(empty_offer_data()),
            )
        response = _detail_response(request, offer.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:offer-detail", args=[offer.pk])
        return response


class OfferDetailView(TandemAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="One offer",
        responses={200: OfferDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail_response(request, pk)

    @extend_schema(
        summary="Replace an offer (owner and co-owners)",
        description="Every field as on create; left-out optional ones go back to their "
        "defaults. The institution cannot change.",
        request=OfferInputSerializer,
        responses={
            200: OfferDetailSerializer,
            400: BAD_REQUEST,
            403: NOT_SIGNED_IN_OR_FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        summary="Change some fields of an offer (owner and co-owners)",
        description="Only the fields given change; a list given (languages, windows, sdgs, "
        "countries) replaces the whole list.",
        request=OfferInputSerializer,
        responses={
            200: OfferDetailSerializer,
            400: BAD_REQUEST,
            403: NOT_SIGNED_IN_OR_FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        offer = _offer_for_editor(request.user, pk)
        if not offer.is_editable():
            # The service refuses too; this only picks the status code.
            raise Conflict(
                services.NOT_DRAFT_OR_OPEN % {"status": offer.get_status_display().lower()}
            )
        given = OfferInputSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        base = services.offer_data(offer) if partial else empty_offer_data()
        with service_errors():
            services.offer_update(offer=offer, data=given.offer_data(base))
        return _detail_response(request, pk)


class OfferPublishView(TandemAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publish a draft: partners can find it",
        operation_id="offers_publish",
        request=None,
        responses={
            200: OfferDetailSerializer,
            400: OpenApiResponse(description="The offer is incomplete; fix the fields named."),
            403: NOT_SIGNED_IN_OR_FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        offer = _offer_for_editor(request.user, pk)
        with service_errors():
            services.offer_publish(offer=offer, actor=request.user)
        return _detail_response(request, pk)


class OfferCloseView(TandemAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Close an offer (owners, or the institution's international office)",
        operation_id="offers_close",
        request=None,
        responses={
            200: OfferDetailSerializer,
            403: NOT_SIGNED_IN_OR_FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        offer = selectors.get_offer_for_user(request.user, pk)
        if not (offer_access(request.user, offer).can_close):
            raise exceptions.PermissionDenied(NOT_CLOSER)
        with service_errors():
            services.offer_close(offer=offer, actor=request.user)
        return _detail_response(request, pk)


urlpatterns = [
    path("offers/", OfferListView.as_view(), name="offer-list"),
    path("offers/<int:pk>/", OfferDetailView.as_view(), name="offer-detail"),
    path("offers/<int:pk>/publish/", OfferPublishView.as_view(), name="offer-publish"),
    path("offers/<int:pk>/close/", OfferCloseView.as_view(), name="offer-close"),
]
