from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.models import ReportKind
from reporting.packs.services import parse_extra_emails
from salesmgmt.models import User


class ReportPackForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    reports = forms.MultipleChoiceField(
        label=gettext_lazy("Reports"),
        choices=ReportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The company monthly report is the e-mail's body; the others come as CSV files."
        ),
    )
    recipients = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True)
        .exclude(email="")
        .order_by("first_name", "last_name", "username"),
        label=gettext_lazy("Recipients"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("People with an account (and an e-mail address)."),
    )
    extra_emails = forms.CharField(
        label=gettext_lazy("Other e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "investor@example.com"}),
        help_text=gettext_lazy("Investors, partners, other departments: one address per line."),
    )
    day_of_month = forms.IntegerField(
        label=gettext_lazy("Day of month"),
        min_value=1,
        max_value=28,
        initial=2,
        help_text=gettext_lazy("Sent on this day every month (1–28)..."),
    )
    hour = forms.IntegerField(
        label=gettext_lazy("Hour"),
        min_value=0,
        max_value=23,
        initial=8,
        help_text=gettext_lazy("...from this hour (company time, 0–23)."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    # The version the page showed (edits only), so a stale page cannot overwrite a save.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_extra_emails(self):
        try:
            return "\n".join(parse_extra_emails(self.cleaned_data["extra_emails"]))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean(self):
        cleaned = super().clean()
        if (
            "recipients" in cleaned
            and "extra_emails" in cleaned
            and not cleaned["recipients"]
            and not cleaned["extra_emails"]
        ):
            self.add_error("recipients", _("Choose a recipient or give an e-mail address."))
        return cleaned

    @classmethod
    def initial_for(cls, pack) -> dict:
        return {
            "name": pack.name,
            "reports": pack.reports,
            "recipients": list(pack.recipients.all()),
            "extra_emails": pack.extra_emails,
            "day_of_month": pack.day_of_month,
            "hour": pack.hour,
            "active": pack.active,
            "version": pack.version,
        }
