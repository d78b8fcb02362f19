from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from salesmgmt.models import WebhookEventType
from salesmgmt.webhooks.delivery import UnsafeURL, resolve_target

# The checkboxes, grouped by what the events are about (the key before the dot).
GROUPS = {
    "plan": _("Weekly plans"),
    "activities": _("Activities"),
    "deal": _("Deals"),
    "customer": _("Customers"),
    "task": _("Tasks"),
    "goal": _("Goals"),
    "alert": _("Deviation alerts"),
    "review": _("Monthly reviews"),
    "commission_statement": _("Commissions"),
    "coaching_session": _("Coaching"),
    "kudos": _("Coaching"),
    "award": _("Coaching"),
}


def subscribable_events() -> list[tuple[str, str]]:
    """Every event type an endpoint may want (the test event is sent on request only)."""
    return [(k, v) for k, v in WebhookEventType.choices if k != WebhookEventType.PING]


def grouped_event_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, label in subscribable_events():
        groups.setdefault(str(GROUPS[key.split(".")[0]]), []).append((key, label))
    return list(groups.items())


def check_receiver_url(url: str) -> None:
    """Form and API alike: a URL that may not be called is an error on the field."""
    try:
        resolve_target(url)
    except UnsafeURL as exc:
        raise ValidationError(str(exc), code="unsafe_url") from None


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are POSTed: a public http(s) address."),
    )
    description = forms.CharField(label=_("Description"), max_length=120, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=grouped_event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_url(self):
        url = self.cleaned_data["url"]
        check_receiver_url(url)
        return url
