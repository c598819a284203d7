"""Serializers for the offers API: they read requests into OfferData and OfferFilters
and present offers.

The rules about offers live in exchanges.services and offers.validation, so the
API, the pages and the import say the same thing. Here we check only that the input
can be read: types, lengths and formats (and an ISCED code that exists, to say more
clearly than the model's own message what to send instead)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Institution, Region
from offers.languages import LANGUAGE_NAMES
from offers.models import (
    IscedField,
    Offer,
    OfferKind,
    OfferLevel,
    OfferStatus,
    Priority,
    TransversalSkill,
)
from offers.selectors import OfferFilters
from offers.services import OFFER_FIELDS, OfferData

UNKNOWN_ISCED = _("“%(code)s” is not an ISCED-F field; use a four-digit code such as 0521.")
ISCED_FORMAT = _("Use 2 to 4 digits, such as 05, 052 or 0521.")
COUNTRY_FORMAT = _("Use the two-letter ISO code of the country, such as MY or NL.")
TERM_TO_BEFORE_FROM = _("The end of the period is before its start.")

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


class WindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text="0 is Monday, 6 is Sunday."
    )
    start = serializers.TimeField(format="%H:%M", help_text="In the offer's time zone.")
    end = serializers.TimeField(format="%H:%M")


class IscedCodeField(serializers.CharField):
    """An ISCED-F code that exists. Read as text first, so a NUL never reaches the database;
    whether a broad or narrow code will do is the service's call."""

    def __init__(self, **kwargs):
        super().__init__(max_length=4, **kwargs)
        self.validators.append(RegexValidator(r"\A\d{2,4}\Z", message=ISCED_FORMAT))

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)
        if code and not IscedField.objects.filter(pk=code).exists():
            raise serializers.ValidationError(str(UNKNOWN_ISCED % {"code": code}))
        return code


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


# --- the list's filters -------------------------------------------------------------


class OfferFilterSerializer(serializers.Serializer):
    """The catalogue's filters (offers.forms.OfferFilterForm), as query parameters."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words to search for."
    )
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    country = CountryCodeField(required=False, allow_blank=True, help_text="ISO code: MY, NL…")
    institution = serializers.IntegerField(required=False, min_value=1)
    isced = serializers.RegexField(
        r"\A\d{2,4}\Z",
        required=False,
        allow_blank=True,
        error_messages={"invalid": ISCED_FORMAT},
        help_text="A broad (05), narrow (052) or detailed (0521) ISCED-F field.",
    )
    level = serializers.ChoiceField(choices=OfferLevel.choices, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=sorted(LANGUAGE_NAMES), required=False, allow_blank=True
    )
    kind = serializers.ChoiceField(choices=OfferKind.choices, required=False, allow_blank=True)
    term_from = serializers.DateField(
        required=False, help_text="Offers whose term overlaps the period from this date…"
    )
    term_to = serializers.DateField(required=False, help_text="…to this date.")
    sdg = serializers.IntegerField(required=False, min_value=1, max_value=17)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=OfferStatus.choices, required=False, allow_blank=True)
    sort = serializers.ChoiceField(
        choices=["relevance", "newest"],
        required=False,
        allow_blank=True,
        help_text="With q, relevance first unless newest; without q, always newest.",
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only offers I own or co-own."
    )

    def validate(self, attrs: dict) -> dict:
        if (
            attrs.get("term_from")
            and attrs.get("term_to")
            and attrs["term_to"] < attrs["term_from"]
        ):
            raise serializers.ValidationError({"term_to": [str(TERM_TO_BEFORE_FROM)]})
        return attrs

    def filters(self) -> OfferFilters:
        c = self.validated_data
        return OfferFilters(
            q=c.get("q") or "",
            region=c.get("region") or "",
            country=c.get("country") or "",
            institution=c.get("institution"),
            isced=c.get("isced") or "",
            level=c.get("level") or "",
            language=c.get("language") or "",
            kind=c.get("kind") or "",
            term_from=c.get("term_from"),
            term_to=c.get("term_to"),
            sdg=c.get("sdg"),
            priority=c.get("priority") or "",
            status=c.get("status") or "",
            sort=c.get("sort") or "",
            mine=bool(c.get("mine")),
        )


# --- tokens ----------------------------------------------------------------------------
