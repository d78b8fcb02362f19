from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Customer,
    Deal,
    StageKind,
    Task,
    TaskPriority,
)
from salesmgmt.filtering import Lookup
from salesmgmt.models import Team, User
from salesmgmt.org.services import reps_writable_by
from salesmgmt.web import EARLIEST, LATEST

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DealChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, deal):
        return f"{deal.title} · {deal.customer.name}"


class TaskForm(forms.Form):
    """A task's fields; every choice is limited to what the writer may see and act for."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    # Choices among thousands: found by typing (scoped lookups), never listed whole.
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("For"),
        widget=Lookup("people_lookup", "role=rep"),
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=gettext_lazy("In your timezone."),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        widget=Lookup("customers:lookup", "open=1"),
        help_text=gettext_lazy("Empty: no customer."),
    )
    deal = DealChoiceField(
        label=gettext_lazy("Deal"),
        queryset=Deal.objects.none(),
        required=False,
        widget=Lookup("deals:lookup", "open=1"),
        help_text=gettext_lazy("Empty: no deal."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # The version the page showed, so a save from a stale page is refused, not applied.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user: User, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = task or Task()
        if task is None:
            del self.fields["version"]
        self.fields["assignee"].queryset = reps_writable_by(user).filter(
            Q(is_active=True) | Q(pk=current.assignee_id)
        )
        self.fields["customer"].queryset = Customer.objects.visible_to(user).filter(
            ~Q(status__in=CLOSED_CUSTOMER_STATUSES) | Q(pk=current.customer_id)
        )
        self.fields["deal"].queryset = (
            Deal.objects.visible_to(user)
            .filter(Q(stage__kind=StageKind.OPEN) | Q(pk=current.deal_id))
            .select_related("customer")
        )
        if user.is_rep:
            # A rep's tasks are their own: the field shows who, and cannot change.
            assignee = self.fields["assignee"]
            assignee.widget = forms.Select()
            assignee.queryset = assignee.queryset  # the select lists its one choice
            assignee.disabled = True
            assignee.initial = user.pk

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if not EARLIEST <= due_at.date() <= LATEST:
            raise forms.ValidationError(_("Enter a due date between 1970 and 2999."))
        return due_at

    def clean(self):
        data = super().clean()
        customer, deal = data.get("customer"), data.get("deal")
        if deal is not None:
            if customer is None:
                data["customer"] = deal.customer
            elif deal.customer_id != customer.pk:
                self.add_error(
                    "deal",
                    _("%(deal)s is a deal of %(customer)s, not %(other)s.")
                    % {"deal": deal.title, "customer": deal.customer, "other": customer},
                )
        return data

    def task_fields(self) -> dict:
        names = ("title", "notes", "customer", "deal", "due_at", "priority")
        return {name: self.cleaned_data[name] for name in names}

    @staticmethod
    def initial_for(task: Task) -> dict:
        return {
            "title": task.title,
            "notes": task.notes,
            "assignee": task.assignee_id,
            "customer": task.customer_id,
            "deal": task.deal_id,
            "due_at": task.due_at,
            "priority": task.priority,
            "version": task.version,
        }

    @staticmethod
    def default_due():
        """The next full hour, in the viewer's timezone."""
        now = timezone.localtime()
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class TaskHistoryForm(forms.Form):
    """The period (company dates, inclusive) and, for reviewers, the team."""

    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    end = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("all my teams"),
        label=gettext_lazy("Team"),
    )

    def __init__(self, *args, teams=None, **kwargs):
        """``teams``: the teams the viewer reviews; None (for reps) hides the field."""
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Enter a date between 1970 and 2999."))
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period ends before it starts."))
        return data
