from django import forms

from salesmgmt.models import Team, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "timezone", "language"]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What uses this token, e.g. 'Dialer integration'."
    )


class FocusMetricsForm(forms.Form):
    metrics = forms.ModelMultipleChoiceField(
        queryset=Team.metrics().active(),
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": "Pick at least one metric for the team to focus on."},
    )
