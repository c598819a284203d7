"""The proposal page's forms: the shared terms draft and the thread with the offices. The
rules are exchanges.drafting's and exchanges.thread's; the forms only read and show."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.time_zones import zone_name
from exchanges import drafting, terms_checks
from offers.languages import language_choices

MODE_CHOICES = [
    ("coil", _("COIL (both classes work together)")),
    ("virtual_mobility", _("Virtual mobility")),
]
SYSTEM_CHOICES = [("ects", _("ECTS")), ("local", _("Local credits"))]
SESSION_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})\s+(\d{1,3})\s*$")
BAD_LINE = _(
    "Line %(n)s: write a date, a start time and the minutes, such as 2027-03-02 15:00 120."
)


class TermsForm(forms.Form):
    """The agreed fields (exchanges.drafting.AGREED_FIELDS). Sessions are one a line, in
    the viewer's time zone: “2027-03-02 15:00 120”."""

    students_asia_to_europe = forms.IntegerField(
        label=_("Students Asia → Europe"), min_value=0, max_value=terms_checks.MAX_STUDENTS
    )
    students_europe_to_asia = forms.IntegerField(
        label=_("Students Europe → Asia"), min_value=0, max_value=terms_checks.MAX_STUDENTS
    )
    session_count = forms.IntegerField(
        label=_("Number of joint sessions"), min_value=1, max_value=terms_checks.MAX_SESSIONS
    )
    sessions = forms.CharField(
        label=_("Session dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=MODE_CHOICES)
    working_language = forms.ChoiceField(label=_("Working language"), choices=())
    credits_asia = forms.CharField(label=_("Credits (Asian course)"), required=False, max_length=12)
    credit_system_asia = forms.ChoiceField(
        label=_("Credit system (Asian course)"), choices=SYSTEM_CHOICES
    )
    credits_europe = forms.CharField(
        label=_("Credits (European course)"), required=False, max_length=12
    )
    credit_system_europe = forms.ChoiceField(
        label=_("Credit system (European course)"), choices=SYSTEM_CHOICES
    )
    joint_assignment = forms.CharField(
        label=_("Joint assignment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    platform = forms.CharField(
        label=_("Meeting platform"),
        required=False,
        max_length=200,
        help_text=_("Where the joint sessions meet, such as a video-call link or room."),
    )
    note = forms.CharField(
        label=_("What you changed, for your partner (optional)"), required=False, max_length=500
    )

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(zone)
        self.fields["working_language"].choices = language_choices()
        self.fields["sessions"].help_text = _(
            "One session a line: date, start time in your time zone (%(zone)s) and minutes, "
            "such as 2027-03-02 15:00 120. In order, without overlaps."
        ) % {"zone": zone_name(zone)}

    @classmethod
    def from_data(cls, data: dict, *, zone: str) -> TermsForm:
        initial = {name: data.get(name) for name in drafting.AGREED_FIELDS}
        tz = zoneinfo.ZoneInfo(zone)
        initial["sessions"] = "\n".join(
            f"{timezone.localtime(s.start, tz):%Y-%m-%d %H:%M} {s.minutes}"
            for s in drafting.sessions_of(data)
        )
        return cls(initial=initial, zone=zone)

    def clean_sessions(self) -> list[dict]:
        out = []
        for n, line in enumerate(self.cleaned_data["sessions"].splitlines(), start=1):
            if not line.strip():
                continue
            match = SESSION_LINE.match(line)
            if not match:
                raise forms.ValidationError(BAD_LINE % {"n": n})
            day, time, minutes = match.groups()
            try:
                naive = dt.datetime.fromisoformat(f"{day}T{time.zfill(5)}")
            except ValueError:
                raise forms.ValidationError(BAD_LINE % {"n": n}) from None
            start = naive.replace(tzinfo=self.zone)
            out.append({"start": start.isoformat(), "minutes": int(minutes)})
        return out

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in drafting.AGREED_FIELDS}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment or question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change, or your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
