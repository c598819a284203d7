from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planning.models import MAX_PERIOD_DAYS, CalendarPeriod, PlanningPreference

MIN_MINUTES, MAX_MINUTES = 15, 480


class PeriodForm(forms.ModelForm):
    class Meta:
        model = CalendarPeriod
        fields = ["kind", "name", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"name": _("As the lecturers will read it, e.g. “Final exams”.")}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day cannot be before the first day."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("A period lasts at most a year."))
        return data


class SessionRowForm(forms.Form):
    """One session of the plan, in the reader's time zone. A row without a date is an
    unused "add a session" row."""

    keep = forms.BooleanField(label=_("Keep"), required=False, initial=True)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=_("Starts at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"), min_value=MIN_MINUTES, max_value=MAX_MINUTES, initial=90
    )

    def clean(self):
        data = super().clean()
        if data.get("date") and not data.get("time"):
            self.add_error("time", _("Give the start time."))
        return data

    def start(self) -> dt.datetime | None:
        """The start in UTC, or None for a removed or empty row."""
        data = self.cleaned_data
        if not data.get("keep") or not data.get("date") or not data.get("time"):
            return None
        local = timezone.make_aware(
            dt.datetime.combine(data["date"], data["time"]), timezone.get_current_timezone()
        )
        return local.astimezone(dt.UTC)


class BaseSessionFormSet(forms.BaseFormSet):
    def sessions(self) -> list[dict]:
        """The kept rows as the agreed terms store them, sorted by start."""
        rows = [
            {"start": f.start().isoformat(), "minutes": f.cleaned_data["minutes"]}
            for f in self.forms
            if f.start() is not None
        ]
        return sorted(rows, key=lambda r: r["start"])


SessionFormSet = forms.formset_factory(
    SessionRowForm, formset=BaseSessionFormSet, extra=1, max_num=60, validate_max=True
)


def session_initial(sessions) -> list[dict]:
    """Rows for saved sessions, in the reader's time zone."""
    rows = []
    for s in sessions:
        local = timezone.localtime(s.start)
        rows.append(
            {"keep": True, "date": local.date(), "time": local.time(), "minutes": s.minutes}
        )
    return rows


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = PlanningPreference
        fields = ["session_reminders"]
