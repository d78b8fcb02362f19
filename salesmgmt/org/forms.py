from django import forms

from activities.models import Metric
from salesmgmt.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "timezone"]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What uses this token, e.g. 'Dialer integration'."
    )


class FocusMetricsForm(forms.Form):
    metrics = forms.ModelMultipleChoiceField(
        queryset=Metric.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": "Pick at least one metric for the team to focus on."},
    )
