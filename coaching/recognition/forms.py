"""Forms of the recognition pages: giving kudos, giving an award, filtering the feed.
The rules live in coaching.recognition.services."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from activities.models import Deal
from coaching.models import AwardKind, RecognitionSuggestion
from coaching.recognition.selectors import KUDOS
from coaching.recognition.services import MESSAGE_MAX
from plans.models import Goal
from reporting.models import Kpi, MonthlyReview
from salesmgmt.filtering import Lookup
from salesmgmt.models import Team, User


class _Links(forms.Form):
    """What the recognition is tied to (optional): a deal, a goal, a KPI."""

    deal = forms.ModelChoiceField(
        queryset=Deal.objects.none(),
        required=False,
        label=gettext_lazy("Tied to a deal (optional)"),
        widget=Lookup("deals:lookup"),
    )
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(), required=False, widget=forms.HiddenInput
    )
    kpi = forms.ModelChoiceField(
        queryset=Kpi.objects.none(), required=False, label=gettext_lazy("Tied to a KPI (optional)")
    )
    suggestion = forms.ModelChoiceField(
        queryset=RecognitionSuggestion.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = Deal.objects.visible_to(user)
        self.fields["goal"].queryset = Goal.objects.visible_to(user)
        self.fields["kpi"].queryset = Kpi.objects.active().order_by("position", "name")
        self.fields["suggestion"].queryset = RecognitionSuggestion.objects.visible_to(
            user
        ).pending()


class KudosForm(_Links):
    review = forms.ModelChoiceField(
        queryset=MonthlyReview.objects.none(), required=False, widget=forms.HiddenInput
    )

    recipient = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=pgettext_lazy("kudos recipient", "To"),
        widget=Lookup("recognition:people_lookup"),
        help_text=gettext_lazy("Anyone in the company."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What they did and why it mattered."),
    )

    field_order = ["recipient", "message", "deal", "kpi", "goal", "suggestion", "review"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["recipient"].queryset = User.objects.filter(is_active=True).exclude(pk=user.pk)
        self.fields["review"].queryset = MonthlyReview.objects.visible_to(user)


class AwardForm(_Links):
    recipient = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=gettext_lazy("Rep"),
        widget=Lookup("people_lookup", "role=rep"),
        help_text=gettext_lazy("A rep you manage."),
    )
    kind = forms.ChoiceField(choices=AwardKind.choices, label=gettext_lazy("Kind"))
    value = forms.DecimalField(
        label=gettext_lazy("Value"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy(
            "Required for a cash bonus (paid with the month's commission statement)."
        ),
    )
    value_text = forms.CharField(
        label=gettext_lazy("What it is, in words"), max_length=120, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    given_on = forms.DateField(
        label=gettext_lazy("Given on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    field_order = ["recipient", "kind", "value", "value_text", "reason", "given_on"]

    def __init__(self, *args, user, currency: str = "", **kwargs):
        super().__init__(*args, user=user, **kwargs)
        reps = User.objects.visible_to(user).reps().exclude(pk=user.pk)
        self.fields["recipient"].queryset = reps
        if currency:
            self.fields["value"].label = _("Value (%(currency)s)") % {"currency": currency}


class FeedFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label=gettext_lazy("Team"),
        empty_label=pgettext_lazy("filter", "All"),
    )
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Person"),
        widget=Lookup("recognition:people_lookup"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            ("", pgettext_lazy("filter", "All")),
            (KUDOS, pgettext_lazy("recognition kind", "Kudos")),
            *AwardKind.choices,
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["person"].queryset = User.objects.filter(is_active=True)
