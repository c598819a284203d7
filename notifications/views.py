"""The notifications page: one's own notifications, newest first; mark one or all as read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.http import redirect_back as _back
from notifications import live
from notifications.models import Notification

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    page = Paginator(mine.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "has_unread": mine.unread().exists(),
            # Live additions go on top of the first page only: the others are older.
            "live_list": page.number == 1,
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with next=<its link>, go on to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        live.announce_count(request.user.pk)  # the user's other pages update their badge
    return _back(request, "notifications:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = (
        Notification.objects.filter(recipient=request.user).unread().update(read_at=timezone.now())
    )
    if marked:
        live.announce_count(request.user.pk)
    return redirect("notifications:notifications")
