from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from offers.models import Offer


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted by the partner")
    APPROVED = "approved", _("Approved by both offices")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    REJECTED = "rejected", _("Rejected by an office")
    # An office asked a question or for a change: the lecturers revise the terms (a new
    # version sends it back to both sides, then to the offices).
    CHANGES = "changes", _("Changes requested by an office")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


LIVE_PROPOSAL_STATES = ("proposed", "accepted", "changes", "approved", "active")


class ProposalOrigin(models.TextChoices):
    SUGGESTION = "suggestion", _("From a suggestion")
    BROWSE = "browse", _("From browsing")
    ROUND = "round", _("From a pairing round")


class Proposal(models.Model):
    """A pairing of one Asian and one European offer, on its way to an exchange."""

    asian_offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    european_offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals_made",
    )
    origin = models.CharField(_("origin"), max_length=12, choices=ProposalOrigin.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    # Each side accepts; the proposer's side on proposing. Accepted when both have.
    asian_accepted_at = models.DateTimeField(null=True, blank=True)
    european_accepted_at = models.DateTimeField(null=True, blank=True)
    # The terms version (TermsVersion.number) each side accepted: both the same, latest one
    # freezes it. Null: that side has not accepted any version.
    asian_accepted_version = models.PositiveIntegerField(null=True, blank=True)
    european_accepted_version = models.PositiveIntegerField(null=True, blank=True)
    # The agreed terms, frozen on acceptance; offices approve exactly this (by its hash).
    terms = models.JSONField(_("agreed terms"), default=dict, blank=True)
    terms_hash = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Participants by direction (exchanges.agreement.proposal_flows): stamped from the
    # offers on proposing, from the frozen terms on acceptance, from the completion report
    # on completion. The statistics sum them in the database.
    flow_a_to_e = models.PositiveIntegerField(default=0, editable=False)
    flow_e_to_a = models.PositiveIntegerField(default=0, editable=False)
    score = models.FloatField(_("match score"), null=True, blank=True)
    explanation = models.JSONField(_("match explanation"), default=list, blank=True)
    pairing_round = models.ForeignKey(
        "rounds.PairingRound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            # At most one live proposal per pair of offers, whoever proposed it.
            models.UniqueConstraint(
                fields=["asian_offer", "european_offer"],
                condition=models.Q(state__in=LIVE_PROPOSAL_STATES),
                name="one_live_proposal_per_pair",
                violation_error_message=_("These two offers already have a live proposal."),
            ),
            models.CheckConstraint(
                condition=~models.Q(asian_offer=models.F("european_offer")),
                name="proposal_two_offers",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in ProposalState]),
                name="proposal_state_valid",
            ),
        ]
        indexes = [
            # "My proposals": by offer and state.
            models.Index(fields=["asian_offer", "state"], name="proposal_asian_state_idx"),
            models.Index(fields=["european_offer", "state"], name="proposal_europe_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asian_offer} ↔ {self.european_offer}"

    def is_live(self) -> bool:
        return self.state in LIVE_PROPOSAL_STATES


class TermsVersion(models.Model):
    """One saved version of the terms both lecturers draft together (exchanges.drafting).

    Versions are never edited: each change saves the next number, so the timeline shows
    who changed what and when, and an acceptance names the exact version it accepted."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="term_versions")
    number = models.PositiveIntegerField()
    # The agreed fields (exchanges.drafting.AGREED_FIELDS), JSON-ready values only.
    data = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_terms_version_number"),
        ]

    def __str__(self) -> str:
        return f"terms v{self.number} of {self.proposal_id}"


class ProposalEvent(models.Model):
    """One transition of a proposal: who moved it, when, from where to where, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, choices=ProposalState.choices)
    # What happened, for events that do not change the state (or not only): "terms_changed",
    # "side_accepted", "office_approved". Notifications read this, never the note.
    kind = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    CHANGES = "changes", _("Changes requested")


class OfficeDecision(models.Model):
    """An international office's decision on a proposal's agreed terms, for its institution.

    A decision counts only for the terms it was taken on: when the terms change it is
    voided and the office is asked again."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=DecisionKind.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=2000)
    terms_hash = models.CharField(max_length=64)
    void = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # One standing decision per institution: two officers clicking at once get one.
            models.UniqueConstraint(
                fields=["proposal", "institution"],
                condition=models.Q(void=False),
                name="one_decision_per_institution",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="approve") | ~models.Q(comment=""),
                name="rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.decision}"


class ProposalComment(models.Model):
    """One message in a proposal's thread with the offices: its two lecturers and the
    international offices of its two institutions ask and answer here (the partners' chat
    is separate). An office's decision with a comment is posted here too (`decision`)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=2000)
    # The office's decision this comment came with ("" for a plain comment).
    decision = models.CharField(max_length=8, choices=DecisionKind.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="proposal_comment_idx")]

    def __str__(self) -> str:
        return f"comment on {self.proposal_id}"


class CompletionReport(models.Model):
    """What an exchange achieved, filed by one of its lecturers when it ends. The optional
    counts are anonymous aggregates: no student is named."""

    # What a lecturer reports (the form, the API and the service read these).
    REPORTED = (
        "participants_asia",
        "participants_europe",
        "sync_hours",
        "fewer_opportunities",
        "first_international",
        "outcomes",
    )

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="completion_report"
    )
    participants_asia = models.PositiveIntegerField(
        _("participants from the Asian institution"), validators=[MaxValueValidator(5000)]
    )
    participants_europe = models.PositiveIntegerField(
        _("participants from the European institution"), validators=[MaxValueValidator(5000)]
    )
    sync_hours = models.DecimalField(
        _("synchronous hours held"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    fewer_opportunities = models.PositiveIntegerField(
        _("participants with fewer opportunities"),
        null=True,
        blank=True,
        help_text=_("Optional and anonymous: a count, no names."),
    )
    first_international = models.PositiveIntegerField(
        _("participants with a first international experience"),
        null=True,
        blank=True,
        help_text=_("Optional and anonymous: a count, no names."),
    )
    outcomes = models.TextField(_("outcomes"), max_length=5000, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants_asia__gt=0) | models.Q(participants_europe__gt=0),
                name="report_has_participants",
                violation_error_message=_("An exchange that ran has participants."),
            )
        ]

    def __str__(self) -> str:
        return f"report on {self.proposal_id}"
