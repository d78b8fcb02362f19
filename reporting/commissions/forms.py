"""The manual adjustment form of a commission statement."""

from django import forms


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount",
        max_digits=14,
        decimal_places=2,
        help_text="Positive pays more, negative takes off.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Shown on the statement, with your name.",
    )
