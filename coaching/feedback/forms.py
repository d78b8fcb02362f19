"""Forms of the feedback pages. The rules live in coaching.feedback.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coaching.models import FeedbackPeriod

SCALE = [(n, str(n)) for n in range(1, 6)]
TEXT_LIMIT = 4000


class FeedbackForm(forms.Form):
    """One 1-5 radio group per active question, and free text."""

    text = forms.CharField(
        label=_("Anything else your manager should hear? (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Do not name yourself or details only you would know if you want to stay anonymous."
        ),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.label,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "rating"}),
                error_messages={"required": _("Pick 1 to 5.")},
            )
        self.order_fields([f"q{q.pk}" for q in self.questions] + ["text"])

    def rating_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]

    def ratings(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class SignedFeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Your feedback (your manager sees your name)"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PeriodForm(forms.Form):
    period = forms.ModelChoiceField(
        queryset=FeedbackPeriod.objects.order_by("-start"),
        required=False,
        empty_label=None,
        label=_("Period"),
    )
