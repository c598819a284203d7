"""What planning adds to the proposal page (core.panels): the addresses of the session
planner (for the two lecturers) and of the sessions' .ics (for lecturers and offices)."""

from __future__ import annotations

from django.urls import reverse


def planner_links(request, proposal, access) -> dict:
    lecturer = bool(access.sides)
    return {
        "session_planner_url": reverse("planning:planner", args=[proposal.pk]) if lecturer else "",
        "sessions_ics_url": reverse("planning:proposal-ics", args=[proposal.pk])
        if lecturer or access.offices
        else "",
    }
