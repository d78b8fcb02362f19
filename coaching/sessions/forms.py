"""Forms of the coaching pages; every choice is limited to what the writer sees."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from activities.models import Deal
from coaching.models import CoachingSession, FocusArea, SessionKind
from reporting.models import DeviationEpisode, Kpi, MonthlyReview, ReviewMiss
from salesmgmt.models import User

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTES = {"rows": 4}


class SessionForm(forms.Form):
    """A session's fields. The prompt (alert, miss, deal) comes from the page that linked
    here and rides along hidden; a KPI is picked from the list."""

    rep = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Rep"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=SessionKind.choices, initial=SessionKind.ONE_TO_ONE
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=gettext_lazy("In your timezone."),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=5, max_value=720, initial=60
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Location"),
        help_text=gettext_lazy("A room, a call link, a customer."),
    )
    held = forms.BooleanField(
        required=False,
        label=gettext_lazy("It has already taken place"),
        help_text=gettext_lazy("Record a session held."),
    )
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(),
        required=False,
        label=gettext_lazy("Focus areas"),
        widget=forms.CheckboxSelectMultiple,
    )
    prompt_kpi = forms.ModelChoiceField(
        queryset=Kpi.objects.none(),
        required=False,
        label=gettext_lazy("Prompted by a KPI"),
        empty_label="—",
    )
    prompt_episode = forms.ModelChoiceField(
        queryset=DeviationEpisode.objects.none(), required=False, widget=forms.HiddenInput
    )
    prompt_miss = forms.ModelChoiceField(
        queryset=ReviewMiss.objects.none(), required=False, widget=forms.HiddenInput
    )
    prompt_deal = forms.ModelChoiceField(
        queryset=Deal.objects.none(), required=False, widget=forms.HiddenInput
    )
    prompt_note = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Why"),
        help_text=gettext_lazy("A word on what prompted it."),
    )
    shared_notes = forms.CharField(
        widget=forms.Textarea(attrs=NOTES),
        required=False,
        label=gettext_lazy("Notes shared with the rep"),
    )
    private_notes = forms.CharField(
        widget=forms.Textarea(attrs=NOTES),
        required=False,
        label=gettext_lazy("Private notes"),
        help_text=gettext_lazy("Yours only: the rep never sees them."),
    )
    next_session_on = forms.DateField(
        widget=DATE, required=False, label=gettext_lazy("Next session on")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User, session: CoachingSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = (
            User.objects.visible_to(user).reps().order_by("first_name", "last_name")
        )
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["prompt_kpi"].queryset = Kpi.objects.active().order_by("name")
        self.fields["prompt_episode"].queryset = DeviationEpisode.objects.visible_to(user)
        self.fields["prompt_miss"].queryset = ReviewMiss.objects.filter(
            review__in=_reviews_of(user)
        ).select_related("review")
        self.fields["prompt_deal"].queryset = Deal.objects.visible_to(user)
        if session is not None:
            del self.fields["rep"]
            del self.fields["held"]
            self.fields["version"].required = True

    def clean(self):
        data = super().clean()
        given = [
            n for n in ("prompt_kpi", "prompt_episode", "prompt_miss", "prompt_deal") if data.get(n)
        ]
        if len(given) > 1:
            self.add_error("prompt_kpi", _("Name one thing that prompted the session."))
        return data


def _reviews_of(user):
    return MonthlyReview.objects.visible_to(user).values("pk")


class ActionItemForm(forms.Form):
    text = forms.CharField(max_length=200, label=gettext_lazy("What"))
    owner = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Who"))
    due = forms.DateField(widget=DATE, label=pgettext_lazy("due date", "By"))

    def __init__(self, *args, session: CoachingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (session.rep_id, _("%(name)s (rep)") % {"name": session.rep}),
            (session.coach_id, _("%(name)s (coach)") % {"name": session.coach}),
        ]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
