"""The privacy pages: what Tandem keeps and why, the download of one's data, and the
deletion of one's account."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from privacy import archive, erasure, retention
from privacy.forms import CONFIRM_WORD, DeleteAccountForm


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """Public: what is stored, why and for how long (docs/privacy.md says the same)."""
    context = {
        "unverified_days": getattr(
            settings, "PRIVACY_UNVERIFIED_DAYS", retention.UNVERIFIED_DAYS_DEFAULT
        ),
        "notification_days": getattr(
            settings, "PRIVACY_NOTIFICATION_DAYS", retention.NOTIFICATION_DAYS_DEFAULT
        ),
    }
    return render(request, "privacy/policy.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The signed-in person's data as a JSON file (the same as GET /api/v1/me/export/)."""
    data = archive.build_archive(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = archive.archive_filename(request.user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        erasure.account_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for using Tandem."))
        return redirect("landing")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "privacy/delete.html",
        {"form": form, "word": CONFIRM_WORD},
        status=status,
    )
