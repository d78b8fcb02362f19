"""Pages for notifications: the list, marking read, preferences. Only ever the viewer's own."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salesmgmt.csv_export import csv_response
from salesmgmt.models import Notification, NotificationPreference
from salesmgmt.notifications.forms import NotificationFilter, PreferencesForm, kinds_for
from salesmgmt.notifications.services import mark_all_read, mark_read, preferences_of
from salesmgmt.web import paginate, query_without_page

PER_PAGE = 25


def notification_list(request):
    notifications = Notification.objects.shown().filter(user=request.user)
    filterset = NotificationFilter(request.GET, queryset=notifications)
    if request.GET.get("export") == "csv":
        return csv_response(
            "notifications.csv",
            ["created_at", "kind", "title", "body", "url", "read_at"],
            (
                [_local(n.created_at), n.kind, n.title, n.body, n.url, _local(n.read_at)]
                for n in filterset.qs.iterator(chunk_size=500)
            ),
        )
    return render(
        request,
        "salesmgmt/notifications/list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs, per_page=PER_PAGE),
            "query": query_without_page(request),
            "unread_count": notifications.unread().count(),
        },
    )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@require_POST
def notification_read(request, pk):
    """Mark one notification read, then open what it is about."""
    notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    mark_read(notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    count = mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked read.", "%(count)s notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("notifications:list")


def notification_preferences(request):
    data = request.POST if request.method == "POST" else None  # all unticked posts nothing
    form = PreferencesForm(
        data, kinds=kinds_for(request.user), current=preferences_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        _save_preferences(request.user, form.choices())
        messages.success(request, _("Notification preferences saved."))
        return redirect("notifications:preferences")
    return render(request, "salesmgmt/notifications/preferences.html", {"form": form})


@transaction.atomic
def _save_preferences(user, choices: dict[str, tuple[bool, bool]]) -> None:
    """One row per kind: what the person wants, in one upsert."""
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, kind=kind, in_app=in_app, email=email)
            for kind, (in_app, email) in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["in_app", "email"],
    )
