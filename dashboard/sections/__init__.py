"""Each role's part of the dashboard, built from the owning apps' selectors.

`build` gives the page its context: the account part for everyone (`account`), then the
part of each role the user holds — a user may hold several and sees each one's sections:
a verified lecturer (`lecturer`), a verified international office (`office`), the
secretariat (`secretariat`). Each part reads a fixed number of queries, whatever the
number of offers, proposals or claims (tests/dashboard/test_role_dashboards.py)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.selectors import remember_office_ids
from dashboard.sections import account, lecturer, office, secretariat


def build(request: HttpRequest) -> dict:
    # The selectors of several sections and the navigation ask for the user's offices:
    # read them once for this request.
    remember_office_ids(request.user)
    context = account.section(request)
    roles = context["dashboard_roles"]
    context["conversations"] = lecturer.conversations(request.user)
    if roles.lecturer:
        context["lecturer"] = lecturer.section(request)
    if roles.office_ids:
        context["office"] = office.section(request, roles)
        # One count for the navigation's badge and the section (the view's context wins
        # over the context processor's).
        context["approvals_badge"] = context["office"]["approvals_badge"]
    if roles.secretariat:
        context["secretariat"] = secretariat.section(request)
    return context
