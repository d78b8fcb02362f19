"""Forms of an alert's page; the rules live in reporting.alerts.services."""

from django import forms

from reporting.alerts.services import NOTE_MAX

DATE = forms.DateInput(attrs={"type": "date"})


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(forms.Form):
    text = forms.CharField(label="What the rep is to do", max_length=200)
    due = forms.DateField(label="Due", widget=DATE)


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label="Comment (optional)", max_length=NOTE_MAX, required=False)


class SnoozeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(label="Snooze until", widget=DATE, help_text="Back on this day.")
    text = forms.CharField(label="Why (optional)", max_length=NOTE_MAX, required=False)
