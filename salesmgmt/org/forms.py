from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from salesmgmt.i18n import supported
from salesmgmt.models import Team, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "timezone", "language"]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What uses this token, e.g. 'Dialer integration'."),
    )


class FocusMetricsForm(forms.Form):
    metrics = forms.ModelMultipleChoiceField(
        queryset=Team.metrics().active(),
        label=_("Metrics"),
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("Pick at least one metric for the team to focus on.")},
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, with the e-mail written in the language of the person it goes to.

    Django renders it in the page's language, which is all an anonymous requester gives;
    an account whose owner chose a language gets it in theirs."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        chosen = supported(getattr(context.get("user"), "language", None))
        if chosen is None:
            return super().send_mail(
                subject_template_name, email_template_name, context, *args, **kwargs
            )
        with translation.override(chosen):
            return super().send_mail(
                subject_template_name, email_template_name, context, *args, **kwargs
            )
