from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Metric
from plans.models import PlanStatus, WeeklyPlan
from salesmgmt.web import plain_number


class PlanForm(forms.ModelForm):
    """Plan content plus one 'planned' field per metric the rep plans."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WeeklyPlan
        fields = ["objectives", "priorities", "risks", "key_accounts"]
        widgets = {
            "objectives": forms.Textarea(
                attrs={"rows": 3, "placeholder": _("What this week is for")}
            ),
            "priorities": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "key_accounts": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, metrics, planned=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = list(metrics)
        planned = planned or {}
        for metric in self.metrics:
            self.fields[self.target_field(metric)] = forms.DecimalField(
                label=metric.label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=0 if not metric.is_money else 2,
                initial=plain_number(planned.get(metric.pk)),
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0}),
            )
        if self.instance.pk:
            # Editing needs the version the rep read, so a stale tab cannot overwrite.
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version

    @staticmethod
    def target_field(metric: Metric) -> str:
        return f"target_{metric.key}"

    def target_fields(self):
        return [self[self.target_field(m)] for m in self.metrics]

    def suggest(self, per_week: dict[str, int]) -> None:
        """Suggested numbers per metric key (the reverse funnel's weekly needs); shown
        next to the inputs, filled in only when the rep asks."""
        self.suggested = {
            k: v for k, v in per_week.items() if self.target_field_for(k) in self.fields
        }

    def target_field_for(self, key: str) -> str:
        return f"target_{key}"

    def suggested_target_fields(self):
        """(bound field, suggested number or None) per planned metric."""
        suggested = getattr(self, "suggested", {})
        return [(self[self.target_field(m)], suggested.get(m.key)) for m in self.metrics]

    def targets(self) -> dict[int, object]:
        return {m.pk: self.cleaned_data.get(self.target_field(m)) for m in self.metrics}

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (PlanStatus.APPROVED, _("Approve")),
            (PlanStatus.RETURNED, _("Return for changes")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == PlanStatus.RETURNED and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what should change when returning a plan."))
        return data


class WeekNoteForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = WeeklyPlan
        fields = ["progress_note", "problems_note"]
        widgets = {
            "progress_note": forms.Textarea(attrs={"rows": 3}),
            "problems_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "progress_note": _("Progress this week"),
            "problems_note": _("Problems and help needed"),
        }
