"""The account endpoints: an API token for an e-mail address and password, and "me"."""

from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import mfa
from accounts.authentication import second_factor_required
from accounts.models import Affiliation, User
from core.api import TandemAPIView

WRONG_CREDENTIALS = _("The e-mail address or the password is wrong.")
ACCOUNT_INACTIVE = _("This account is switched off; ask the Tandem secretariat.")
EMAIL_NOT_VERIFIED = _(
    "Confirm your e-mail address first: follow the link in the message we sent you."
)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        trim_whitespace=False, max_length=4096, style={"input_type": "password"}
    )
    code = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The authenticator code (or a recovery code); needed when the account "
        "uses two-factor authentication.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as the header “Authorization: Token <token>”.")


class TokenView(TandemAPIView):
    # No session authentication here, hence no CSRF check: the token is the answer.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API token for an e-mail address and password",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Wrong credentials, inactive or unconfirmed, or the "
                "authenticator code is missing or wrong."
            ),
            403: OpenApiResponse(
                description="code mfa_required: the account acts for an institution or "
                "the secretariat and must set up two-factor authentication first."
            ),
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
        self._check_second_factor(user, credentials.validated_data.get("code", ""))
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)

    @staticmethod
    def _check_second_factor(user: User, code: str) -> None:
        if mfa.lacks_required_mfa(user):
            raise second_factor_required()
        if not mfa.has_mfa(user):
            return
        if not code.strip():
            raise exceptions.ValidationError({"code": [str(mfa.CODE_NEEDED)]})
        try:
            mfa.verify_code(user, code)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"code": exc.messages}) from None


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


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", me, name="me"),
]
