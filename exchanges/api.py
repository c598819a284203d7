"""REST API for offers under /api/v1/: a token, the list with search and filters, the
detail, create, update, publish and close.

Thin views: a serializer reads the request, a selector or a service does the work, a
serializer presents the result. Who sees what is selectors.get_offer_for_user and
selectors.offer_search, exactly as on the pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.authtoken.models import Token
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import Institution, User
from accounts.selectors import lecturer_institution_ids
from exchanges import selectors, services
from exchanges.models import Offer
from exchanges.pagination import SearchPaginator
from exchanges.serializers import (
    OfferCreateSerializer,
    OfferDetailSerializer,
    OfferFilterSerializer,
    OfferInputSerializer,
    OfferListSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    empty_offer_data,
)

WRONG_CREDENTIALS = _("The e-mail address or the password is wrong.")
ACCOUNT_INACTIVE = _("This account is switched off; ask the Tandem secretariat.")
EMAIL_NOT_VERIFIED = _(
    "Confirm your e-mail address first: follow the link in the message we sent you."
)
NOT_LECTURER = _("Only verified lecturers register offers; claim your role at your institution.")
SEVERAL_INSTITUTIONS = _(
    "You are a lecturer at several institutions: give the id of the one that offers the course."
)
NOT_EDITOR = _("Only the offer's owner and co-owners can change or publish it.")
NOT_CLOSER = _("Only the offer's owners and its institution's international office can close it.")
BODY_TOO_LARGE = _("The request is larger than %(limit)s bytes; shorten the texts.")
LONE_SURROGATE = _(
    "The JSON holds a lone surrogate escape (such as \\ud800), which is not text; "
    "send the character itself or a complete surrogate pair."
)


# --- plumbing ------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The offer is not in a state that allows this.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing lone UTF-16 surrogates: "\\ud800" is valid JSON, but
    neither database nor any UTF-8 encoder takes it, so it would end in a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise exceptions.ParseError(LONE_SURROGATE) from None
        return data


class TandemAPIView(APIView):
    """JSON in, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE answered in JSON too (Django
    would answer its HTML 400 page)."""

    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig):
            exc = RequestTooLarge(BODY_TOO_LARGE % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
        return super().handle_exception(exc)


class OfferPagination(PageNumberPagination):
    """20 a page, counted as the pages count: ids only, without the ranking."""

    django_paginator_class = SearchPaginator


def _error_list(exc: DjangoValidationError) -> list[DjangoValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return exc.error_list


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's refusal into the API's answer: a ValidationError into a 400 that
    names each field (a 409 for a move between states that is not allowed), a
    PermissionDenied into a 403 that keeps its message."""
    try:
        yield
    except DjangoValidationError as exc:
        if any(e.code == "invalid_transition" for e in _error_list(exc)):
            raise Conflict(" ".join(exc.messages)) from None
        if hasattr(exc, "error_dict"):
            detail = {
                api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key: messages
                for key, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        raise exceptions.ValidationError(detail) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None


def _offer_for_editor(user: User, pk: int) -> Offer:
    try:
        return selectors.get_offer_for_user(user, pk, write=True)
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied(NOT_EDITOR) from None


def _detail_response(request: Request, pk: int, *, status_code: int = 200) -> Response:
    offer = selectors.get_offer_for_user(request.user, pk)
    context = {
        "request": request,
        "can_edit": selectors.can_edit(request.user, offer),
        "can_manage": selectors.can_manage(request.user, offer),
    }
    return Response(OfferDetailSerializer(offer, context=context).data, status=status_code)


def _only_institution(user: User) -> Institution:
    """The institution a lecturer of exactly one offers courses at."""
    ids = lecturer_institution_ids(user)
    if not ids:
        raise exceptions.PermissionDenied(NOT_LECTURER)
    if len(ids) > 1:
        raise exceptions.ValidationError({"institution": [str(SEVERAL_INSTITUTIONS)]})
    return Institution.objects.get(pk=ids.pop())


BAD_REQUEST = OpenApiResponse(
    description="The input cannot be used: the body names each field and what to fix."
)
NOT_SIGNED_IN_OR_FORBIDDEN = OpenApiResponse(
    description="Not signed in, or the user may see the offer but not do this."
)
NOT_FOUND = OpenApiResponse(description="No such offer, or the user may not see it.")
CONFLICT = OpenApiResponse(description="The offer's status does not allow this.")


# --- token -----------------------------------------------------------------------------


class TokenView(TandemAPIView):
    # No session authentication here, hence no CSRF check: the token is the answer.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API token for an e-mail address and password",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong credentials, inactive or unconfirmed."),
            429: OpenApiResponse(description="Too many failed attempts; try again later."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        email = credentials.validated_data["email"].strip().lower()
        # allauth's authenticate counts failures, so the API shares the sign-in page's
        # rate limit on guessing passwords.
        try:
            user = get_adapter(request._request).authenticate(
                request._request, email=email, password=credentials.validated_data["password"]
            )
        except DjangoValidationError as exc:
            raise exceptions.Throttled(detail=" ".join(exc.messages)) from None
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": [str(WRONG_CREDENTIALS)]})
        # allauth hands back an inactive user whose password matched, so the sign-in
        # page can explain; the API refuses.
        if not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [str(ACCOUNT_INACTIVE)]})
        if not has_verified_email(user):
            raise exceptions.ValidationError({"non_field_errors": [str(EMAIL_NOT_VERIFIED)]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


# --- offers ------------------------------------------------------------------------------


class OfferListView(TandemAPIView):
    # Visitors read the public catalogue: open offers, without the owner's name.
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = OfferPagination

    @extend_schema(
        summary="List and search the offers the user may see",
        description="Visitors see open offers only. Signed in, also the user's drafts and "
        "those of institutions whose international office the user is. 20 a page.",
        parameters=[OfferFilterSerializer],
        responses={200: OfferListSerializer(many=True), 400: BAD_REQUEST},
    )
    def get(self, request: Request) -> Response:
        params = OfferFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        offers = selectors.with_list_relations(
            selectors.offer_search(request.user, params.filters())
        )
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
        if not (
            selectors.can_edit(request.user, offer) or selectors.can_manage(request.user, offer)
        ):
            raise exceptions.PermissionDenied(NOT_CLOSER)
        with service_errors():
            services.offer_close(offer=offer, actor=request.user)
        return _detail_response(request, pk)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("offers/", OfferListView.as_view(), name="offer-list"),
    path("offers/<int:pk>/", OfferDetailView.as_view(), name="offer-detail"),
    path("offers/<int:pk>/publish/", OfferPublishView.as_view(), name="offer-publish"),
    path("offers/<int:pk>/close/", OfferCloseView.as_view(), name="offer-close"),
]
