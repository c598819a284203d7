"""Serializers of the terms draft, acceptance of a version, request-changes and the
thread (exchanges.api_terms). As in exchanges.serializers, they only read and present:
the rules are exchanges.drafting's, exchanges.terms_checks' and exchanges.thread's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import LARGEST_NUMBER
from exchanges.serializers import PersonSerializer, _person


class TermsVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    data = serializers.JSONField(
        read_only=True,
        help_text="The agreed fields (docs/proposals_api.md): students per direction, "
        "session_count, sessions, mode, working_language, credits and credit systems, "
        "joint_assignment, platform.",
    )
    summary = serializers.CharField(
        read_only=True, help_text="What changed from the version before."
    )

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, version) -> dict | None:
        return _person(version.author)


class SideVersionsSerializer(serializers.Serializer):
    asia = serializers.IntegerField(allow_null=True)
    europe = serializers.IntegerField(allow_null=True)


class TermsDraftSerializer(serializers.Serializer):
    """The shared draft of a proposal's terms: the latest version, every version, and the
    version each side accepted."""

    latest = TermsVersionSerializer()
    versions = TermsVersionSerializer(many=True, help_text="Every version, oldest first.")
    accepted = SideVersionsSerializer(
        help_text="The version each side accepted (null: none yet). Both on the latest "
        "freezes it for the offices."
    )
    frozen_version = serializers.IntegerField(
        allow_null=True, help_text="The version frozen for the offices, if any."
    )
    can_edit = serializers.BooleanField(help_text="Whether the user may save a new version now.")
    can_accept = serializers.BooleanField(
        help_text="Whether the user may accept the latest version now (POST accept)."
    )


class SessionInputSerializer(serializers.Serializer):
    start = serializers.CharField(
        max_length=40,
        help_text="ISO 8601 date and time with its offset, such as 2027-03-02T15:00+08:00.",
    )
    minutes = serializers.IntegerField(min_value=15, max_value=480)


class TermsInputSerializer(serializers.Serializer):
    """A new version: any of the agreed fields (the others keep their latest value). The
    service checks every rule and names each field that is wrong."""

    students_asia_to_europe = serializers.IntegerField(required=False, min_value=0, max_value=5000)
    students_europe_to_asia = serializers.IntegerField(required=False, min_value=0, max_value=5000)
    session_count = serializers.IntegerField(required=False, min_value=1, max_value=60)
    sessions = serializers.ListField(
        child=SessionInputSerializer(),
        required=False,
        max_length=60,
        help_text="In order of start, without overlaps, at most session_count.",
    )
    mode = serializers.ChoiceField(choices=["coil", "virtual_mobility"], required=False)
    working_language = serializers.CharField(
        required=False, max_length=2, help_text="ISO 639-1 code of a working language."
    )
    credits_asia = serializers.CharField(required=False, allow_blank=True, max_length=12)
    credit_system_asia = serializers.ChoiceField(choices=["ects", "local"], required=False)
    credits_europe = serializers.CharField(required=False, allow_blank=True, max_length=12)
    credit_system_europe = serializers.ChoiceField(choices=["ects", "local"], required=False)
    joint_assignment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    platform = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="A word for the partner about what changed.",
    )
    accept = serializers.BooleanField(
        required=False, default=False, help_text="Accept the new version too (Save and accept)."
    )


class AcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=LARGEST_NUMBER,
        help_text="The version of the terms the user reviewed; 409 terms_changed if a newer "
        "one exists. Without it, the latest version is accepted.",
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True)
    decision = serializers.CharField(
        read_only=True,
        help_text="The office decision it came with (approve, reject, changes), or empty.",
    )
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, comment) -> dict | None:
        return _person(comment.author)


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000, help_text="The comment or question.")


class RequestChangesSerializer(serializers.Serializer):
    # Required by the service, which says why in its own words; here only its length.
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required: what should change, or the office's question.",
    )
