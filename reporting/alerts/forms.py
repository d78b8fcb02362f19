"""Forms of an alert's page; the rules live in reporting.alerts.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.alerts.services import NOTE_MAX

DATE = forms.DateInput(attrs={"type": "date"})


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(forms.Form):
    text = forms.CharField(label=_("What the rep is to do"), max_length=200)
    due = forms.DateField(label=_("Due date"), widget=DATE)


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Comment (optional)"), max_length=NOTE_MAX, required=False)


class SnoozeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(label=_("Snooze until"), widget=DATE, help_text=_("Back on this day."))
    text = forms.CharField(label=_("Why (optional)"), max_length=NOTE_MAX, required=False)
