"""Forms of the monthly review pages. The rules live in reporting.reviews."""

from datetime import date

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from reporting.models import ReviewStatus, RootCause
from salesmgmt.calendar import parse_month, recent_months
from salesmgmt.models import Team


class MonthField(forms.ChoiceField):
    def to_python(self, value):
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month

    def validate(self, value):
        if self.required and value is None:
            raise forms.ValidationError(_("Pick a month."))

    def valid_value(self, value):  # any well-formed month, not only the listed ones
        return True


class ReviewFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        choices=[("", _("All")), *ReviewStatus.choices], required=False, label=_("Status")
    )

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        months = recent_months(today)
        chosen = self.data.get("month") if self.is_bound else None
        if chosen and parse_month(chosen) and parse_month(chosen) not in months:
            months.insert(0, parse_month(chosen))
        blank = [("", _("All months"))] if not user.reviews_plans else []
        self.fields["month"].choices = blank + [
            (f"{m:%Y-%m}", formats.date_format(m, "MONTH_YEAR")) for m in months
        ]
        if user.reviews_plans:
            self.fields["team"].queryset = Team.objects.managed_by(user).order_by("name")
        else:
            del self.fields["team"]


class NotesForm(forms.Form):
    """The manager's notes and coaching remarks. Recognition is never written here: kudos
    and awards have their own forms (coaching.recognition)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    manager_notes = forms.CharField(
        label=_("Manager notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    coaching_remarks = forms.CharField(
        label=_("Coaching remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MissForm(forms.Form):
    root_cause = forms.ChoiceField(
        label=_("Root cause"),
        choices=[("", _("Not decided yet")), *RootCause.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action item"), max_length=200)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcknowledgeForm(VersionForm):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your manager reads it; you can change it later."),
    )
