import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import AffiliationRole, Institution, User
from accounts.services import REASON_REQUIRED
from core.locale_names import sorted_by_name
from core.time_zones import TimeZoneField, aliases


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = TimeZoneField(
        label=_("Your time zone"),
        initial="UTC",
        help_text=_("Times in Tandem are shown in this zone. You can change it later."),
        widget=forms.Select(
            # The browser may report an old name (Chrome: "Asia/Calcutta").
            attrs={"data-detect-time-zone": "true", "data-zone-aliases": json.dumps(aliases())}
        ),
    )

    def signup(self, request, user: User) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.time_zone = self.cleaned_data["time_zone"]
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", "") or "en")[:10]
        if user.preferred_language not in dict(settings.LANGUAGES):
            user.preferred_language = "en"
        user.save()


class PreferencesForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["full_name", "preferred_language", "time_zone", "email_notifications"]
        help_texts = {
            "email_notifications": _(
                "Send me e-mails about proposals, approvals and unread messages."
            ),
        }


class ClaimForm(forms.Form):
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Pick an institution from the list.")},
    )
    role = forms.ChoiceField(label=_("Your role"), choices=AffiliationRole.choices)


class InstitutionSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Institution name or e-mail domain"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        named = sorted_by_name((c.code, c.display_name) for c in countries)
        self.fields["country"].choices = [("", _("All ASEM countries")), *named]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
        help_text=_("The person sees this reason and can claim again."),
    )
