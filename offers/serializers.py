"""Serializers for the offers API: they read request bodies into OfferData and present
offers. (The list's query parameters are read by the page's form: offers.filters.)

The rules about offers live in offers.services and offers.validation, so the API, the
pages and the import say the same thing. Here we check only that the input can be read:
types, lengths and formats."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Institution, Region
from offers import validation
from offers.description_language import default_for, validate_description_language
from offers.models import Offer, OfferStatus, TransversalSkill
from offers.services import OFFER_FIELDS, OfferData

COUNTRY_FORMAT = _("Use the two-letter ISO code of the country, such as MY or NL.")

CHILDREN = ("languages", "windows", "sdgs", "preferred_countries", "excluded_countries")


# --- parts, in and out -------------------------------------------------------------


class InstitutionSummarySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", help_text="ISO 3166 alpha-2 code.")
    region = serializers.ChoiceField(source="country.region", choices=Region.choices)

    class Meta:
        model = Institution
        fields = ["id", "name", "country", "region"]
        read_only_fields = fields


class OwnerSerializer(serializers.Serializer):
    name = serializers.CharField(source="full_name", read_only=True)


class OfferLanguageSerializer(serializers.Serializer):
    # Plain text, not choices: offers.validation says what is wrong with a code or a
    # level, in the same words as the pages.
    language = serializers.CharField(
        max_length=20, help_text="ISO 639-1 code of a working language, such as en or ms."
    )
    cefr = serializers.CharField(
        max_length=20, help_text="CEFR level participants need: A1, A2, B1, B2, C1 or C2."
    )
    name = serializers.CharField(source="get_language_display", read_only=True)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
    component_name="ClockTime",
)
class ClockTimeField(serializers.TimeField):
    """A time of day as the pages write it, 15:00 (15:00:00 is read too). OpenAPI's format
    "time" would ask for seconds and a time zone offset, which a weekly window has not."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class WindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 is Monday, 6 is Sunday."
    )
    start = ClockTimeField(help_text="HH:MM, in the offer's time zone.")
    end = ClockTimeField(help_text="HH:MM, after start.")


class IscedCodeField(serializers.CharField):
    """An ISCED-F code as written. Read as text first, so a NUL never reaches the database;
    whether it exists, and whether a broad or narrow code will do, is the service's call."""

    def __init__(self, **kwargs):
        super().__init__(max_length=4, **kwargs)
        self.validators.append(
            RegexValidator(validation.ISCED_CODE, message=validation.ISCED_FORMAT)
        )


class CountryCodeField(serializers.RegexField):
    def __init__(self, **kwargs):
        super().__init__(r"\A[A-Za-z]{2}\Z", error_messages={"invalid": COUNTRY_FORMAT}, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


@extend_schema_field(
    {"type": "string", "enum": OfferStatus.values}, component_name="OfferStatusEnum"
)
class OfferStatusField(serializers.ChoiceField):
    """An offer's status, as a named schema component: drf-spectacular would otherwise
    name the enum after the field, and "status" is the affiliations' enum already."""

    def __init__(self, **kwargs):
        super().__init__(choices=OfferStatus.choices, **kwargs)


# --- offers out ----------------------------------------------------------------------


class OfferListSerializer(serializers.ModelSerializer):
    """One offer in a list. Reads only what selectors.with_list_relations loads."""

    url = serializers.SerializerMethodField()
    institution = InstitutionSummarySerializer(read_only=True)
    isced = serializers.CharField(source="isced_id", read_only=True)
    isced_label = serializers.CharField(source="isced.label", read_only=True)
    languages = OfferLanguageSerializer(many=True, read_only=True)
    sdgs = serializers.SerializerMethodField()
    status = OfferStatusField(read_only=True)
    owner = serializers.SerializerMethodField(
        help_text="The lecturer who offers the course; null for visitors who are not signed in."
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "level",
            "status",
            "institution",
            "isced",
            "isced_label",
            "languages",
            "sdgs",
            "term_start",
            "term_end",
            "duration_weeks",
            "students",
            "published_at",
            "owner",
        ]
        read_only_fields = fields

    def get_url(self, offer: Offer) -> str:
        path = reverse("api:offer-detail", args=[offer.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_sdgs(self, offer: Offer) -> list[int]:
        return [s.number for s in offer.sdgs.all()]  # prefetched in lists

    @extend_schema_field(OwnerSerializer(allow_null=True))
    def get_owner(self, offer: Offer) -> dict | None:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return None
        return OwnerSerializer(offer.owner).data


class OfferDetailSerializer(OfferListSerializer):
    """The whole offer. The view puts can_edit and can_manage in the context."""

    windows = WindowSerializer(many=True, read_only=True)
    preferred_countries = serializers.SerializerMethodField()
    excluded_countries = serializers.SerializerMethodField(
        help_text="Only for the owner and co-owners; null for everyone else."
    )
    can_edit = serializers.SerializerMethodField(
        help_text="The user may change and publish the offer (owner or co-owner)."
    )
    can_manage = serializers.SerializerMethodField(
        help_text="The user is the international office of the offer's institution and "
        "may close it."
    )

    class Meta(OfferListSerializer.Meta):
        fields = OfferListSerializer.Meta.fields + [
            "description",
            "learning_outcomes",
            "description_language",
            "time_zone",
            "sync_sessions",
            "priority",
            "theme_digitalisation",
            "theme_sustainability",
            "skills",
            "partners_sought",
            "windows",
            "preferred_countries",
            "excluded_countries",
            "created_at",
            "updated_at",
            "can_edit",
            "can_manage",
        ]
        read_only_fields = fields

    def get_preferred_countries(self, offer: Offer) -> list[str]:
        return [c.pk for c in offer.preferred_countries.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_excluded_countries(self, offer: Offer) -> list[str] | None:
        # The pages show them to editors only: a list of countries one will not work
        # with is not for everybody's eyes.
        if not self.context.get("can_edit"):
            return None
        return [c.pk for c in offer.excluded_countries.all()]

    def get_can_edit(self, offer: Offer) -> bool:
        return bool(self.context.get("can_edit"))

    def get_can_manage(self, offer: Offer) -> bool:
        return bool(self.context.get("can_manage"))


# --- offers in -----------------------------------------------------------------------


def empty_offer_data() -> OfferData:
    """Every field at the model's default: what a create or a PUT starts from."""
    return OfferData(
        fields={name: Offer._meta.get_field(name).get_default() for name in OFFER_FIELDS}
    )


class OfferInputSerializer(serializers.ModelSerializer):
    """An offer as a client sends it for PUT and PATCH. Lengths, numeric bounds and
    choices come from the model; whole-offer rules from the service."""

    isced = IscedCodeField(help_text="The detailed ISCED-F field, four digits: 0521.")
    description_language = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        validators=[validate_description_language],
        help_text="ISO 639-1 code of the language of the title and description, such as de "
        "or ja; empty when not known. Left out when creating: the language the text is "
        "written in, else the language of the request.",
    )
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=TransversalSkill.choices),
        max_length=len(TransversalSkill.choices),
        required=False,
    )
    languages = OfferLanguageSerializer(many=True, max_length=10, required=False)
    windows = WindowSerializer(many=True, max_length=20, required=False)
    # Whether SDGs and countries exist is the service's check, as for the pages.
    sdgs = serializers.ListField(child=serializers.IntegerField(), max_length=17, required=False)
    preferred_countries = serializers.ListField(
        child=CountryCodeField(), max_length=60, required=False
    )
    excluded_countries = serializers.ListField(
        child=CountryCodeField(), max_length=60, required=False
    )

    class Meta:
        model = Offer
        fields = list(OFFER_FIELDS) + list(CHILDREN)

    def offer_data(self, base: OfferData) -> OfferData:
        """The validated input laid over base: empty_offer_data() for a create or a PUT,
        services.offer_data(offer) for a PATCH."""
        data = OfferData(
            fields=dict(base.fields), **{name: list(getattr(base, name)) for name in CHILDREN}
        )
        for name, value in self.validated_data.items():
            if name == "languages":
                data.languages = [(x["language"], x["cefr"]) for x in value]
            elif name == "windows":
                data.windows = [(w["weekday"], w["start"], w["end"]) for w in value]
            elif name in CHILDREN:
                setattr(data, name, value)
            elif name in OFFER_FIELDS:
                data.fields[name] = value
        return data


class OfferCreateSerializer(OfferInputSerializer):
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(),
        required=False,
        help_text="Where the course is taught. Leave it out if you are a verified lecturer "
        "of one institution only.",
    )

    class Meta(OfferInputSerializer.Meta):
        fields = ["institution"] + OfferInputSerializer.Meta.fields

    def offer_data(self, base: OfferData) -> OfferData:
        data = super().offer_data(base)
        if "description_language" not in self.validated_data:
            text = f"{data.fields.get('title') or ''}\n{data.fields.get('description') or ''}"
            data.fields["description_language"] = default_for(text)
        return data
