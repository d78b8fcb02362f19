from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from salesmgmt.audit.admin import AuditHistoryAdmin
from salesmgmt.calendar_feeds.services import revoke_calendar_feed
from salesmgmt.errors import RuleViolation
from salesmgmt.models import (
    ApiToken,
    CalendarFeed,
    CompanySettings,
    Division,
    Notification,
    Team,
    User,
)
from salesmgmt.notifications.services import retry_failed_emails
from salesmgmt.org.services import (
    ADMIN_POWERS,
    check_user_change,
    check_users_removable,
    delete_users,
)


class KeepsAdminsForm:
    """Mixed into the user change form: refuses what would lock the company out."""

    changed_by = None  # the signed-in admin, set by UserAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        powers = {name: cleaned[name] for name in ADMIN_POWERS if name in cleaned}
        try:
            check_user_change(user=self.instance, by=self.changed_by, **powers)
        except RuleViolation as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


@admin.register(User)
class UserAdmin(AuditHistoryAdmin, BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "team", "rep_function", "is_active")
    list_filter = ("role", "team", "rep_function", "is_active")
    list_select_related = ("team",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Sales organisation"),
            {"fields": ("role", "team", "division", "rep_function", "timezone", "language")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Sales organisation"), {"fields": ("role", "team", "division", "rep_function")}),
    )
    actions = ["delete_selected"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form  # adding someone never takes an administrator away
        return type(form.__name__, (KeepsAdminsForm, form), {"changed_by": request.user})

    def _removal_refusal(self, request, users) -> str | None:
        try:
            check_users_removable(users=users, by=request.user)
        except RuleViolation as exc:
            return " ".join(exc.messages)
        return None

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is not None and (refusal := self._removal_refusal(request, [user])):
            self.message_user(request, refusal, messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[user.pk],
                    current_app=self.admin_site.name,
                )
            )
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        if refusal := self._removal_refusal(request, queryset):
            self.message_user(request, refusal, messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)

    def delete_model(self, request, obj):
        delete_users(users=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        delete_users(users=queryset, by=request.user)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "manager", "sales_model")
    list_filter = ("division", "sales_model")
    list_select_related = ("division", "manager")
    filter_horizontal = ("focus_metrics",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        limit = CompanySettings.load().focus_metric_warning
        count = form.instance.focus_metrics.count()
        if count > limit:
            messages.warning(
                request,
                gettext(
                    "%(team)s focuses on %(count)s metrics. Reps do best with a few; "
                    "consider %(limit)s or fewer."
                )
                % {"team": form.instance, "count": count, "limit": limit},
            )


@admin.register(CompanySettings)
class CompanySettingsAdmin(AuditHistoryAdmin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False  # keys are created by their owner, who sees the key once


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Who has a calendar feed, and a way to stop one (a lost phone, someone leaving).
    The token is a key to the person's calendar: not shown here."""

    list_display = ("user", "prefix", "created_at", "last_fetched_at", "revoked_at")
    fields = readonly_fields = ("user", "prefix", "created_at", "last_fetched_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    actions = ["turn_off"]

    def has_add_permission(self, request):
        return False  # made by their owner on the profile

    @admin.action(description=_("Turn off the selected calendar feeds"))
    def turn_off(self, request, queryset):
        for feed in queryset.select_related("user"):
            revoke_calendar_feed(user=feed.user)
        self.message_user(request, gettext("Calendar feeds turned off."))


class EmailStateFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email_state"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("Pending")),
            ("sent", _("Sent")),
            ("failed", _("Failed")),
            ("none", _("Not wanted")),
        ]

    def queryset(self, request, queryset):
        return {
            "pending": queryset.email_pending,
            "sent": lambda: queryset.filter(email=True, emailed_at__isnull=False),
            "failed": queryset.email_failed,
            "none": lambda: queryset.filter(email=False),
        }.get(self.value(), lambda: queryset)()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Mainly for e-mails that failed: see why, and send them again."""

    list_display = (
        "title",
        "user",
        "kind",
        "created_at",
        "email_state",
        "email_attempts",
        "email_next_attempt_at",
        "email_last_error",
    )
    list_filter = (EmailStateFilter, "kind")
    list_select_related = ("user",)
    search_fields = ("title", "key", "user__username", "user__email")
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry_email"]

    def has_add_permission(self, request):
        return False  # notifications come from the app's occasions, never by hand

    @admin.display(description=_("e-mail"))
    def email_state(self, obj):
        return obj.email_state

    @admin.action(permissions=["change"], description=_("Retry e-mail"))
    def retry_email(self, request, queryset):

        count = retry_failed_emails(notifications=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s e-mail queued to be sent again.",
                "%(count)s e-mails queued to be sent again.",
                count,
            )
            % {"count": count},
        )

    def changelist_view(self, request, extra_context=None):
        failed = request.method == "GET" and Notification.objects.email_failed().count()
        if failed:  # not on an action's POST: the count is taken before the action
            self.message_user(
                request,
                ngettext(
                    "%(count)s e-mail failed and was given up. Filter by e-mail: Failed, "
                    "read the error, then use the action “Retry e-mail”.",
                    "%(count)s e-mails failed and were given up. Filter by e-mail: Failed, "
                    "read the error, then use the action “Retry e-mail”.",
                    failed,
                )
                % {"count": failed},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)
