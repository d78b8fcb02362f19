from datetime import timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coaching.models import FocusArea, TrainingModule
from coaching.training.services import MODULE_FIELDS, assignable_reps
from salesmgmt.models import CompanySettings
from salesmgmt.web import EARLIEST, LATEST

DUE_IN_DAYS = 14  # the assign form's suggested due day: two weeks ahead

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ModuleForm(forms.ModelForm):
    """A module's fields; the service checks the rules (a unique title, some material)."""

    material_url = forms.URLField(
        required=False, assume_scheme="https", label=gettext_lazy("Material (link)")
    )

    class Meta:
        model = TrainingModule
        fields = list(MODULE_FIELDS)
        labels = {
            "title": gettext_lazy("Title"),
            "topic": gettext_lazy("Topic"),
            "material_text": gettext_lazy("Material (text)"),
            "duration_minutes": gettext_lazy("Duration (minutes)"),
            "recurrence_months": gettext_lazy("Repeat every (months)"),
            "onboarding": gettext_lazy("Onboarding track"),
            "onboarding_due_days": gettext_lazy("Onboarding: due after (days)"),
            "active": gettext_lazy("Active"),
        }
        widgets = {"material_text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = FocusArea.objects.filter(active=True) | (
            FocusArea.objects.filter(pk=self.instance.topic_id)
        )
        self.fields["topic"].empty_label = _("No topic")

    def validate_unique(self):
        pass  # the service says so, next to the title


class AssignForm(forms.Form):
    """A module, a due day, and either some reps of the chosen team or the whole team."""

    module = forms.ModelChoiceField(
        queryset=TrainingModule.objects.active(),
        label=gettext_lazy("Module"),
        empty_label=gettext_lazy("Choose a module"),
    )
    due = forms.DateField(widget=DATE, label=gettext_lazy("Due"))
    reps = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Reps"),
        help_text=gettext_lazy(
            "Tick none to assign the whole team (reps who hold it open already are skipped)."
        ),
    )

    def __init__(self, *args, user, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["due"].initial = CompanySettings.load().today() + timedelta(days=DUE_IN_DAYS)
        self.fields["reps"].queryset = (
            assignable_reps(user).filter(team=team).order_by("first_name", "last_name")
        )

    def clean_due(self):
        due = self.cleaned_data["due"]
        if not EARLIEST <= due <= LATEST:
            raise forms.ValidationError(_("Enter a date between 1970 and 2999."))
        return due


class CompleteForm(forms.Form):
    score = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        label=gettext_lazy("Score"),
        help_text=gettext_lazy("0-100, if the module had a test."),
    )
    note = forms.CharField(max_length=300, required=False, label=gettext_lazy("Note"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
