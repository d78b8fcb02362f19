"""Forms for deal pages. Choices are scoped to the person filling them in; the
rules (stage of the pipeline, a reason for Lost, whose deal) live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Customer, LostReason, Pipeline, Product, Stage
from salesmgmt.filtering import Lookup
from salesmgmt.models import User
from salesmgmt.org.services import reps_writable_by

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.probability}%)"


class PipelineStageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pipeline} · {obj.label} ({obj.probability}%)"


class DealForm(forms.Form):
    """A new deal (``deal=None``) or the details of an existing one.

    Pipeline and stage are chosen only when creating: afterwards a deal changes
    stage by a move, which records the transition.
    """

    title = forms.CharField(label=_("Title"), max_length=200)
    # Choices among thousands: found by typing (scoped lookups), never listed whole.
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), widget=Lookup("customers:lookup")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        widget=Lookup("people_lookup", "role=rep"),
    )
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.active(), empty_label=None
    )
    stage = PipelineStageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        required=False,
        empty_label=_("first stage"),
        help_text=_("Where the deal starts; later it moves on the pipeline page."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "0.01"}),
    )
    expected_close = forms.DateField(label=_("Expected close"), widget=DATE)
    probability = forms.IntegerField(
        label=_("Probability"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Win probability in percent; leave empty to use the stage's."),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_date = forms.DateField(label=_("Next step date"), required=False, widget=DATE)
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"),
        queryset=LostReason.objects.active(),
        required=False,
        empty_label="—",
    )
    lost_note = forms.CharField(
        label=_("Lost note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # The version the page showed, so a save from a stale page is refused, not applied.
    version = forms.IntegerField(widget=forms.HiddenInput)

    CREATE_ONLY = ("pipeline", "stage", "lost_reason", "lost_note")

    def __init__(self, *args, user, deal=None, **kwargs):
        if deal is not None:
            kwargs.setdefault("initial", self.initial_from(deal))
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["customer"].queryset = Customer.objects.visible_to(user).select_related("owner")
        if deal is not None:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        else:
            del self.fields["version"]
            self.fields["stage"].queryset = Stage.objects.filter(
                pipeline__in=Pipeline.objects.active()
            ).select_related("pipeline")
            if user.is_rep:
                self.fields["owner"].initial = user.pk
        self.fields["owner"].queryset = reps_writable_by(user)
        self.fields["owner"].empty_label = None if user.is_rep else _("choose a rep")

    @staticmethod
    def initial_from(deal) -> dict:
        return {
            "title": deal.title,
            "customer": deal.customer_id,
            "owner": deal.owner_id,
            "products": [p.pk for p in deal.products.all()],
            "amount": deal.amount,
            "expected_close": deal.expected_close,
            "probability": deal.probability,
            "next_step": deal.next_step,
            "next_step_date": deal.next_step_date,
            "version": deal.version,
        }

    def clean(self):
        data = super().clean()
        if data.get("next_step_date") and not data.get("next_step"):
            self.add_error("next_step", _("Say what the next step is."))
        return data

    def deal_fields(self) -> dict:
        """The cleaned values, shaped for services.create_deal / update_deal."""
        data = dict(self.cleaned_data)
        data["next_step"] = data.get("next_step") or ""
        return data


class MoveForm(forms.Form):
    """Move a deal to another stage of its pipeline; Lost asks why."""

    to_stage = StageChoiceField(queryset=Stage.objects.none(), empty_label=None, label=_("Move to"))
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"),
        queryset=LostReason.objects.active(),
        required=False,
        empty_label=_("reason if lost"),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    # The deal's version as shown; a move without one is checked against the deal as it is.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].queryset = Stage.objects.filter(pipeline=deal.pipeline_id)
