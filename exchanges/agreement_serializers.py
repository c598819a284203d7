"""The agreement's shape in the API's schema (drf-spectacular): the document that
exchanges.agreement.build_agreement returns, field by field, so that the OpenAPI schema
tells integrators what they get."""

from __future__ import annotations

from rest_framework import serializers


class AgreementInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="As frozen in the approved terms.")
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 alpha-2 code.")
    country_name = serializers.CharField()
    region = serializers.CharField(help_text="asia or europe, from the ASEM partner list.")


class AgreementIscedSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISCED-F 2013 detailed field.")
    label = serializers.CharField()


class AgreementLevelSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="4 to 8, or nonformal.")
    eqf = serializers.IntegerField(allow_null=True, help_text="EQF level; null if non-formal.")
    label = serializers.CharField()


class AgreementLanguageSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-1.")
    name = serializers.CharField()
    cefr = serializers.CharField(help_text="CEFR level participants need.")


class AgreementWindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    start = serializers.CharField(help_text="HH:MM in the offer's time zone.")
    end = serializers.CharField()


class AgreementOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    lecturer = serializers.CharField()
    isced_f = AgreementIscedSerializer()
    level = AgreementLevelSerializer()
    languages = AgreementLanguageSerializer(many=True)
    term_start = serializers.CharField(help_text="ISO date.")
    term_end = serializers.CharField(help_text="ISO date.")
    duration_weeks = serializers.IntegerField()
    sync_sessions = serializers.IntegerField()
    time_zone = serializers.CharField()
    weekly_windows = AgreementWindowSerializer(many=True)
    students = serializers.IntegerField()
    students_are = serializers.ChoiceField(
        choices=["class", "seats"],
        help_text="class: the course's own students; seats: places for partner students.",
    )


class AgreementInstitutionsSerializer(serializers.Serializer):
    asia = AgreementInstitutionSerializer()
    europe = AgreementInstitutionSerializer()


class AgreementOffersSerializer(serializers.Serializer):
    asia = AgreementOfferSerializer()
    europe = AgreementOfferSerializer()


class AgreementDirectionsSerializer(serializers.Serializer):
    asia_to_europe = serializers.IntegerField()
    europe_to_asia = serializers.IntegerField()


class AgreementApprovalSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    institution = serializers.CharField()
    approved_by = serializers.CharField()
    approved_at = serializers.CharField(help_text="ISO 8601, UTC.")
    comment = serializers.CharField(allow_blank=True)


class AgreementSessionSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601, UTC.")
    end = serializers.CharField(help_text="ISO 8601, UTC.")
    minutes = serializers.IntegerField()
    local = serializers.DictField(
        child=serializers.CharField(),
        help_text="The start in each institution's time zone (asia, europe), ISO 8601 with "
        "its offset.",
    )


class AgreementWorkingLanguageSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="ISO 639-1.")
    name = serializers.CharField(allow_blank=True)


class AgreementCreditsSerializer(serializers.Serializer):
    value = serializers.CharField(allow_blank=True, help_text='A number as text: "5", "2.5".')
    system = serializers.CharField(allow_blank=True, help_text="ects or local.")


class AgreementCreditsBySideSerializer(serializers.Serializer):
    asia = AgreementCreditsSerializer()
    europe = AgreementCreditsSerializer()


class AgreementAgreedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        allow_null=True, help_text="The terms version both lecturers accepted."
    )
    students_asia_to_europe = serializers.IntegerField(allow_null=True)
    students_europe_to_asia = serializers.IntegerField(allow_null=True)
    session_count = serializers.IntegerField(allow_null=True)
    sessions = AgreementSessionSerializer(many=True)
    mode = serializers.CharField(allow_blank=True, help_text="coil or virtual_mobility.")
    mode_label = serializers.CharField(allow_blank=True)
    working_language = AgreementWorkingLanguageSerializer()
    credits = AgreementCreditsBySideSerializer()
    joint_assignment = serializers.CharField(allow_blank=True)
    platform = serializers.CharField(allow_blank=True)


class AgreementSerializer(serializers.Serializer):
    format = serializers.CharField()
    format_version = serializers.IntegerField()
    proposal_id = serializers.IntegerField()
    institutions = AgreementInstitutionsSerializer()
    offers = AgreementOffersSerializer()
    students_per_direction = AgreementDirectionsSerializer()
    approvals = AgreementApprovalSerializer(many=True)
    approved_at = serializers.CharField(help_text="ISO 8601, UTC.")
    approved_on = serializers.CharField(help_text="ISO date (UTC) of the approval.")
    terms_sha256 = serializers.CharField(help_text="proposal.terms_hash: SHA-256 of `terms`.")
    terms = serializers.JSONField(
        help_text="The approved terms verbatim; their canonical JSON (sorted keys, no "
        "spaces, UTF-8) hashes to terms_sha256."
    )
    agreed = AgreementAgreedSerializer(
        allow_null=True,
        help_text="The terms both lecturers agreed, laid out; null for proposals accepted "
        "before the terms were drafted together.",
    )
    ewp_iia = serializers.JSONField(
        help_text="The fields shared with an Erasmus Without Paper inter-institutional "
        "agreement (IIAs API v7), under EWP's element names: partner (hei-id, "
        "signing-contact, signing-date), in-effect, cooperation-conditions with one "
        "student-studies-mobility-spec per direction (mobilities-per-year, "
        "recommended-language-skill, subject-area with a four-digit isced-f-code, blended, "
        "eqf-level) and iia-hash (= terms_sha256)."
    )
