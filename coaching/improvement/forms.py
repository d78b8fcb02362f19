"""Forms of the improvement plan pages. The rules live in coaching.improvement.services."""

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from coaching.improvement.services import linkable_goals, linkable_modules, linkable_sessions
from coaching.models import PlanOutcome
from salesmgmt.filtering import Lookup
from salesmgmt.models import CompanySettings, User
from salesmgmt.web import plain_number

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


class RepPickForm(forms.Form):
    """Which rep a plan without a review miss is for (the new page's first step)."""

    rep = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Rep"), widget=Lookup("people_lookup", "role=rep")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = User.objects.visible_to(user).sales_reps()


class SessionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        day = formats.date_format(timezone.localtime(obj.starts_at), "DATE_MEDIUM")
        return f"{obj.get_kind_display()} · {day} ({obj.get_status_display()})"


class GoalChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        target = formats.number_format(plain_number(obj.target), force_grouping=True)
        return gettext("%(goal)s %(period)s — target %(target)s") % {
            "goal": obj.label,
            "period": obj.period_label,
            "target": target,
        }


class PlanForm(forms.Form):
    """What a plan holds: goals, support, dates. On the new page also why (without a
    miss) and the checkpoints (a formset beside it)."""

    reason = forms.CharField(
        label=_("Why a plan without a review miss"),
        required=False,
        help_text=_(
            "No review miss names the rep's skill or effort: say what the plan answers. "
            "It stays in the plan's history."
        ),
        **TEXT,
    )
    goals_text = forms.CharField(
        label=_("Goals to reach"), help_text=_("What the rep is to reach, by when."), **TEXT
    )
    goals = GoalChoice(
        queryset=None,
        required=False,
        label=_("Linked goals"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The rep's own goals this plan is about (optional)."),
    )
    support_text = forms.CharField(
        label=_("Support promised"),
        required=False,
        help_text=_("Coaching sessions, training, ride-alongs: what you will do to help."),
        **TEXT,
    )
    sessions = SessionChoice(
        queryset=None,
        required=False,
        label=_("Coaching sessions"),
        widget=forms.CheckboxSelectMultiple,
    )
    modules = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Training modules"),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    # Editing: the version read, required (without it a save would overwrite blindly).
    # Opening a plan has none: the field is removed then.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        user,
        rep,
        with_reason: bool = False,
        linked=(),
        linked_modules=(),
        since=None,
        editing: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]
        # Goals running since last month (or the month of the review miss), and those linked.
        today = CompanySettings.load().today()
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        since = min(since or last_month, last_month)
        goals = linkable_goals(rep, user).filter(Q(end__gte=since) | Q(pk__in=linked))
        self.fields["goals"].queryset = goals.select_related("metric").order_by("start", "pk")
        self.fields["sessions"].queryset = linkable_sessions(rep, user).order_by("-starts_at")
        # Active modules, and those linked already (one retired since is kept, not dropped).
        self.fields["modules"].queryset = linkable_modules(linked_modules)
        if not with_reason:
            del self.fields["reason"]
        for name in ("goals", "sessions", "modules"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "version" in self.errors:  # a hidden field: said where the page shows it
            del self.errors["version"]
            self.add_error(
                None,
                gettext("This page lacks the plan's version; reload the plan and edit it again."),
            )
        return data


class CheckpointForm(forms.Form):
    due = forms.DateField(label=_("Checkpoint on"), widget=DATE)
    what = forms.CharField(label=_("What is checked"), max_length=200)


CheckpointFormSet = forms.formset_factory(CheckpointForm, extra=2, min_num=1, validate_min=True)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcknowledgeForm(VersionForm):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        help_text=_("Your manager reads it; you can comment again while the plan is open."),
        **TEXT,
    )


class CommentForm(VersionForm):
    comment = forms.CharField(label=_("Your comment"), **TEXT)


class CheckpointAddForm(VersionForm):
    due = forms.DateField(label=_("Checkpoint on"), widget=DATE)
    what = forms.CharField(label=_("What is checked"), max_length=200)


class CheckpointRecordForm(VersionForm):
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=_("Done"), required=False)


class ExtendForm(VersionForm):
    ends_on = forms.DateField(label=_("New end"), widget=DATE)
    note = forms.CharField(label=_("Why more time"), required=False, **TEXT)


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (PlanOutcome.MET, pgettext_lazy("plan outcome", "Met")),
            (PlanOutcome.NOT_MET, pgettext_lazy("plan outcome", "Not met")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("How it ended"), help_text=_("The rep reads it."), **TEXT)
