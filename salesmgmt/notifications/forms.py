import django_filters
from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from salesmgmt.filtering import YesNoWidget
from salesmgmt.models import Notification, NotificationKind


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=NotificationKind.choices,
        empty_label=pgettext_lazy("filter", "any"),
    )
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label=_("Unread"),
        widget=YesNoWidget(),
    )

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


# Kinds only one side ever receives; a kind in neither set is offered to everyone.
ONLY_FOR_REVIEWERS = {
    NotificationKind.PLAN_MISSING,
    NotificationKind.PLAN_SUBMITTED,
    NotificationKind.REVIEW_REMINDER,
    NotificationKind.TEAM_OVERDUE_DIGEST,
    NotificationKind.REVIEW_READY,
    NotificationKind.REVIEW_ACKNOWLEDGED,
    NotificationKind.RECOGNITION_NUDGE,
}
ONLY_FOR_REPS = {
    NotificationKind.PLAN_REMINDER,
    NotificationKind.PLAN_REVIEWED,
    NotificationKind.TASK_REMINDER,
    NotificationKind.TASK_ASSIGNED,
    NotificationKind.OVERDUE_DIGEST,
    NotificationKind.GOAL_CHANGED,
    NotificationKind.REVIEW_SHARED,
    NotificationKind.STATEMENT_READY,
    NotificationKind.AWARD,
}

# Configuration notices: admins only.
ONLY_FOR_ADMINS = {NotificationKind.WEBHOOK_DISABLED}


def kinds_for(user) -> list[tuple[str, str]]:
    """The kinds of notification ``user`` can receive, as (value, label)."""
    hidden = ONLY_FOR_REPS if user.reviews_plans else ONLY_FOR_REVIEWERS
    if not user.is_admin:
        hidden = hidden | ONLY_FOR_ADMINS
    return [(kind, label) for kind, label in NotificationKind.choices if kind not in hidden]


class PreferencesForm(forms.Form):
    """One 'in the app' and one 'by e-mail' checkbox per kind of notification."""

    CHANNELS = (("in_app", _("In the app")), ("email", _("By e-mail")))

    def __init__(self, *args, kinds, current: dict[str, tuple[bool, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind, label in kinds:
            in_app, email = current.get(kind, (True, True))
            for (channel, channel_label), on in zip(self.CHANNELS, (in_app, email), strict=True):
                name = gettext("%(kind)s: %(channel)s") % {"kind": label, "channel": channel_label}
                self.fields[self.field_name(kind, channel)] = forms.BooleanField(
                    required=False,
                    initial=on,
                    label=name,
                    widget=forms.CheckboxInput(attrs={"aria-label": name}),
                )

    @staticmethod
    def field_name(kind: str, channel: str) -> str:
        return f"{kind}__{channel}"

    def rows(self):
        """(kind label, in-app field, e-mail field) for the grid."""
        return [
            (label, self[self.field_name(kind, "in_app")], self[self.field_name(kind, "email")])
            for kind, label in self.kinds
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {
            kind: (
                self.cleaned_data[self.field_name(kind, "in_app")],
                self.cleaned_data[self.field_name(kind, "email")],
            )
            for kind, _ in self.kinds
        }
