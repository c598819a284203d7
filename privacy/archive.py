"""Everything Tandem keeps about one person, as one JSON document: the download of the
privacy page and GET /api/v1/me/export/ (one set of serializers, so the API's schema is
the archive's).

Only the person's own data: other people's chat messages, notes and addresses stay out.
A proposal they took part in carries its timeline, with the notes of their own steps
(and Tandem's) only.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Affiliation, User
from exchanges.models import OfficeDecision, Proposal, ProposalEvent
from messaging.models import ChatMessage, ConversationMember
from notifications.models import Notification, PartnerAlert
from offers.access import editors_q
from offers.models import Offer
from planning.models import CalendarFeed, PlanningPreference, SessionReminder

FORMAT = "tandem-personal-data/1"


class CodeField(serializers.CharField):
    """A choice's stored code, documented as a plain string: the API's own serializers
    name the enums (the same names here would make colliding components)."""

    def __init__(self, *, choices=None, **kwargs):
        super().__init__(**kwargs)


class ArchiveModelSerializer(serializers.ModelSerializer):
    serializer_choice_field = CodeField


class ArchiveEmailAddressSerializer(ArchiveModelSerializer):
    class Meta:
        model = EmailAddress
        fields = ["email", "verified", "primary"]


class ArchiveProfileSerializer(ArchiveModelSerializer):
    email_addresses = ArchiveEmailAddressSerializer(source="emailaddress_set", many=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "preferred_language",
            "time_zone",
            "email_notifications",
            "is_secretariat",
            "date_joined",
            "last_login",
            "email_addresses",
        ]


class ArchiveAffiliationSerializer(ArchiveModelSerializer):
    institution = serializers.CharField(source="institution.name")
    country = serializers.CharField(source="institution.country_id")

    class Meta:
        model = Affiliation
        fields = [
            "id",
            "institution",
            "country",
            "role",
            "status",
            "reason",
            "verified_by_domain",
            "created_at",
            "decided_at",
        ]


class ArchiveLanguageSerializer(serializers.Serializer):
    language = serializers.CharField()
    cefr = serializers.CharField()


# "15:00": OpenAPI's format "time" would want seconds and a zone offset.
@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"})
class ClockField(serializers.TimeField):
    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ArchiveWindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    start = ClockField()
    end = ClockField()


class ArchiveOfferSerializer(ArchiveModelSerializer):
    role = serializers.SerializerMethodField(help_text="“owner” or “co-owner”.")
    institution = serializers.CharField(source="institution.name")
    isced = serializers.CharField(source="isced_id")
    languages = ArchiveLanguageSerializer(many=True)
    windows = ArchiveWindowSerializer(many=True)
    sdgs = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "role",
            "status",
            "institution",
            "kind",
            "title",
            "description",
            "learning_outcomes",
            "isced",
            "level",
            "students",
            "term_start",
            "term_end",
            "duration_weeks",
            "time_zone",
            "sync_sessions",
            "priority",
            "theme_digitalisation",
            "theme_sustainability",
            "skills",
            "partners_sought",
            "approved_pairings",
            "languages",
            "windows",
            "sdgs",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def get_role(self, offer: Offer) -> str:
        return "owner" if offer.owner_id == self.context["user"].pk else "co-owner"


class ArchiveEventSerializer(ArchiveModelSerializer):
    by_me = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField(help_text="Empty for another person's step.")

    class Meta:
        model = ProposalEvent
        fields = ["at", "from_state", "to_state", "kind", "by_me", "note"]

    def get_by_me(self, event: ProposalEvent) -> bool:
        return event.actor_id == self.context["user"].pk

    def get_note(self, event: ProposalEvent) -> str:
        return event.note if event.actor_id in (None, self.context["user"].pk) else ""


class ArchiveOfferRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    institution = serializers.CharField(source="institution.name")


class ArchiveProposalSerializer(ArchiveModelSerializer):
    asian_offer = ArchiveOfferRefSerializer()
    european_offer = ArchiveOfferRefSerializer()
    proposed_by_me = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField(help_text="Empty unless you proposed it.")
    terms = serializers.JSONField(help_text="The agreed terms, once both sides accepted.")
    timeline = ArchiveEventSerializer(source="events", many=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "state",
            "origin",
            "asian_offer",
            "european_offer",
            "proposed_by_me",
            "message",
            "terms",
            "created_at",
            "updated_at",
            "approved_at",
            "expires_at",
            "timeline",
        ]

    def get_proposed_by_me(self, proposal: Proposal) -> bool:
        return proposal.proposed_by_id == self.context["user"].pk

    def get_message(self, proposal: Proposal) -> str:
        return proposal.message if self.get_proposed_by_me(proposal) else ""


class ArchiveDecisionSerializer(ArchiveModelSerializer):
    institution = serializers.CharField(source="institution.name")

    class Meta:
        model = OfficeDecision
        fields = ["proposal", "institution", "decision", "comment", "void", "at"]


class ArchiveChatMessageSerializer(ArchiveModelSerializer):
    proposal = serializers.IntegerField(source="conversation.proposal_id")
    sent_at = serializers.DateTimeField(source="created_at")
    deleted = serializers.SerializerMethodField()

    class Meta:
        model = ChatMessage
        fields = [
            "id",
            "conversation",
            "proposal",
            "seq",
            "text",
            "sent_at",
            "edited_at",
            "deleted",
        ]

    def get_deleted(self, message: ChatMessage) -> bool:
        return message.deleted_at is not None


class ArchiveNotificationSerializer(ArchiveModelSerializer):
    text = serializers.CharField(help_text="The line as the notifications page shows it.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "proposal", "created_at", "read_at", "email_state"]


class ArchivePartnerAlertSerializer(ArchiveModelSerializer):
    class Meta:
        model = PartnerAlert
        fields = ["id", "offer", "created_at", "last_sent_at"]


class ArchiveCalendarFeedSerializer(ArchiveModelSerializer):
    class Meta:
        model = CalendarFeed
        # Never the token: only its hash is kept, and that is no use to anyone.
        fields = ["created_at", "last_used_at"]


class ArchivePlanningPreferenceSerializer(ArchiveModelSerializer):
    class Meta:
        model = PlanningPreference
        fields = ["session_reminders", "updated_at"]


class ArchiveSessionReminderSerializer(ArchiveModelSerializer):
    class Meta:
        model = SessionReminder
        fields = ["proposal", "session_start", "lead", "created_at"]


class ArchiveSerializer(serializers.Serializer):
    format = serializers.CharField(help_text=f"“{FORMAT}”.")
    exported_at = serializers.DateTimeField()
    profile = ArchiveProfileSerializer()
    affiliations = ArchiveAffiliationSerializer(many=True)
    offers = ArchiveOfferSerializer(many=True, help_text="The offers you own or co-own.")
    proposals = ArchiveProposalSerializer(
        many=True,
        help_text="Proposals of your offers, that you made, or whose conversation you are in.",
    )
    office_decisions = ArchiveDecisionSerializer(
        many=True, help_text="Decisions you took for an office."
    )
    chat_messages = ArchiveChatMessageSerializer(many=True, help_text="The messages you wrote.")
    notifications = ArchiveNotificationSerializer(many=True)
    partner_alerts = ArchivePartnerAlertSerializer(
        many=True, help_text="Your alerts for new partner courses."
    )
    calendar_feeds = ArchiveCalendarFeedSerializer(
        many=True, help_text="Your private calendar feed, if you made one (never its address)."
    )
    planning_preferences = ArchivePlanningPreferenceSerializer(
        many=True, help_text="Your session reminder choice, if you changed it."
    )
    session_reminders = ArchiveSessionReminderSerializer(
        many=True, help_text="The reminders of joint sessions sent to you."
    )


def _proposals(user: User):
    mine = Offer.objects.filter(editors_q(user)).values("pk")
    member = ConversationMember.objects.filter(
        user_id=user.pk, conversation__proposal_id=OuterRef("pk")
    )
    return (
        Proposal.objects.filter(
            Q(asian_offer__in=mine)
            | Q(european_offer__in=mine)
            | Q(proposed_by_id=user.pk)
            | Exists(member)
        )
        .select_related("asian_offer__institution", "european_offer__institution")
        .prefetch_related("events")
        .order_by("created_at", "pk")
    )


def _sources(user: User) -> dict:
    """The querysets of the archive, each ordered oldest first."""
    offers = (
        Offer.objects.filter(editors_q(user))
        .select_related("institution")
        .prefetch_related("languages", "windows", "sdgs")
        .order_by("created_at", "pk")
    )
    return {
        "profile": User.objects.prefetch_related("emailaddress_set").get(pk=user.pk),
        "affiliations": user.affiliations.select_related("institution").order_by("pk"),
        "offers": offers,
        "proposals": _proposals(user),
        "office_decisions": OfficeDecision.objects.filter(decided_by_id=user.pk)
        .select_related("institution")
        .order_by("at", "pk"),
        "chat_messages": ChatMessage.objects.filter(author_id=user.pk)
        .select_related("conversation")
        .order_by("created_at", "pk"),
        "notifications": Notification.objects.filter(recipient_id=user.pk).order_by(
            "created_at", "pk"
        ),
        "partner_alerts": PartnerAlert.objects.filter(user_id=user.pk).order_by("created_at", "pk"),
        "calendar_feeds": CalendarFeed.objects.filter(user_id=user.pk),
        "planning_preferences": PlanningPreference.objects.filter(user_id=user.pk),
        "session_reminders": SessionReminder.objects.filter(recipient_id=user.pk).order_by(
            "session_start", "pk"
        ),
    }


def build_archive(user: User) -> dict:
    """The person's data, ready for JSON (dates as ISO 8601 strings)."""
    data = {"format": FORMAT, "exported_at": timezone.now(), **_sources(user)}
    return ArchiveSerializer(data, context={"user": user}).data


def archive_filename(user: User) -> str:
    return f"tandem-my-data-{timezone.now():%Y-%m-%d}.json"
