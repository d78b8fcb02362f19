from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Channel, Metric, Product
from plans.goals import services as goal_services
from plans.models import GoalPeriod, GoalScope
from salesmgmt.filtering import Lookup
from salesmgmt.models import CompanySettings
from salesmgmt.web import EARLIEST, LATEST, plain_number

MONEY = {"max_digits": 14, "decimal_places": 2}


def _sane_day(day):
    """A goal's period is found from this day; a typo such as year 9999 must not crash."""
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Pick a day between %(first)s and %(last)s.")
            % {"first": EARLIEST.year, "last": LATEST.year}
        )
    return day


def _number(**kwargs):
    return forms.DecimalField(
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        **MONEY,
        **kwargs,
    )


class GoalForm(forms.Form):
    """A new goal; the owner choices are only those the user may set goals for."""

    scope = forms.ChoiceField(label=_("For"), choices=GoalScope.choices)
    # Among thousands of reps: found by typing (the scoped people lookup), never listed.
    rep = forms.ModelChoiceField(
        label=_("Rep"),
        queryset=None,
        required=False,
        widget=Lookup("people_lookup", "role=rep"),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    division = forms.ModelChoiceField(label=_("Division"), queryset=None, required=False)
    metric = forms.ModelChoiceField(
        label=_("Metric"), queryset=Metric.objects.active(), to_field_name="key"
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.active(),
        required=False,
        empty_label=_("any product"),
        help_text=_("Optional: count only this product's activity."),
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Optional: count only activity through any of these channels; none ticked "
            "counts every channel."
        ),
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=GoalPeriod.choices, initial=GoalPeriod.MONTH
    )
    day = forms.DateField(
        label=_("Period holding"),
        help_text=_("Any day of the period; the goal runs from its first to its last day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    target = _number(label=_("Target"))
    stretch_target = _number(
        label=_("Stretch target"), required=False, help_text=_("Optional; above the target.")
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Why this number (optional)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = goal_services.writable_scopes(user)
        labels = dict(GoalScope.choices)
        self.fields["scope"].choices = [(s, labels[s]) for s in reversed(scopes)]
        self.fields["rep"].queryset = goal_services.writable_reps(user).select_related("team")
        self.fields["team"].queryset = goal_services.writable_teams(user)
        self.fields["division"].queryset = goal_services.writable_divisions(user)
        self.fields["day"].initial = CompanySettings.load().today()

    def clean_day(self):
        return _sane_day(self.cleaned_data.get("day"))

    def clean(self):
        data = super().clean()
        owner = {GoalScope.REP: "rep", GoalScope.TEAM: "team", GoalScope.DIVISION: "division"}
        missing = {
            "rep": _("Choose the rep this goal is for."),
            "team": _("Choose the team this goal is for."),
            "division": _("Choose the division this goal is for."),
        }
        wanted = owner.get(data.get("scope"))
        if wanted and not data.get(wanted) and wanted not in self.errors:
            self.add_error(wanted, missing[wanted])
        target, stretch = data.get("target"), data.get("stretch_target")
        if target is not None and target <= 0:
            self.add_error("target", _("A target is a number above zero."))
        if target and stretch is not None and stretch <= target:
            self.add_error("stretch_target", _("A stretch target is above the target."))
        return data


class GoalChangeForm(forms.Form):
    target = _number(label=_("Target"))
    stretch_target = _number(
        label=_("Stretch target"),
        required=False,
        help_text=_("Leave empty for no stretch target."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the rep reads it with the old and new figures."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, goal, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "target": plain_number(goal.target),
                "stretch_target": plain_number(goal.stretch_target),
                "version": goal.version,
            },
        )
        super().__init__(*args, **kwargs)


class GoalDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamGoalsPickForm(forms.Form):
    """Which team, metric and period the grid is for (a GET form)."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)
    metric = forms.ModelChoiceField(
        label=_("Metric"), queryset=Metric.objects.active(), to_field_name="key", empty_label=None
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=GoalPeriod.choices, initial=GoalPeriod.MONTH
    )
    day = forms.DateField(label=_("Period holding"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = goal_services.writable_teams(user)
        self.fields["day"].initial = CompanySettings.load().today()

    def clean_day(self):
        return _sane_day(self.cleaned_data.get("day"))


class TeamGoalsGridForm(forms.Form):
    """One target per rep; blank leaves a rep's goal as it is."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when an existing goal changes; every rep told reads it."),
    )

    def __init__(self, *args, reps, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.reps = list(reps)
        self.existing = existing
        for rep in self.reps:
            goal = existing.get(rep.pk)
            self.fields[self.field_name(rep)] = _number(
                required=False,
                label=str(rep),
                initial=plain_number(goal.target) if goal else None,
            )
            # The goal's version as shown (0: no goal yet), so a grid left open while
            # somebody else changes a rep's goal cannot silently overwrite that change.
            self.fields[self.version_name(rep)] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=goal.version if goal else 0
            )

    @staticmethod
    def field_name(rep) -> str:
        return f"rep_{rep.pk}"

    @staticmethod
    def version_name(rep) -> str:
        return f"version_{rep.pk}"

    def rows(self):
        """(rep, target field, the rep's goal or None) per row."""
        return [(rep, self[self.field_name(rep)], self.existing.get(rep.pk)) for rep in self.reps]

    def targets(self) -> dict:
        return {rep.pk: self.cleaned_data.get(self.field_name(rep)) for rep in self.reps}

    def versions(self) -> dict:
        """{rep id: goal version the grid showed (0: none)}, for the rows that sent one."""
        sent = {rep.pk: self.cleaned_data.get(self.version_name(rep)) for rep in self.reps}
        return {pk: version for pk, version in sent.items() if version is not None}
