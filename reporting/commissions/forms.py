"""The manual adjustment form of a commission statement."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive pays more, negative takes off."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Shown on the statement, with your name."),
    )
