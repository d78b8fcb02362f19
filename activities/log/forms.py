from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.catalogue.forms import CatalogueChoiceField
from activities.log.services import DayLine
from activities.models import Channel, Metric, Product


class LineForm(forms.Form):
    metric = CatalogueChoiceField(
        label=gettext_lazy("Metric"),
        queryset=Metric.objects.active(),
        required=False,
        empty_label=gettext_lazy("choose a metric"),
    )
    quantity = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        label=gettext_lazy("Number"),
        widget=forms.NumberInput(
            attrs={
                "inputmode": "decimal",
                "min": 0,
                "step": "any",
                "placeholder": gettext_lazy("number"),
            }
        ),
    )
    channel = CatalogueChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.active(),
        required=False,
        empty_label=gettext_lazy("any channel"),
    )
    product = CatalogueChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.active(),
        required=False,
        empty_label=gettext_lazy("any product"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("note")}),
    )

    def __init__(self, *args, catalogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, objects in (catalogue or {}).items():
            self.fields[name].use_objects(objects)
        # A phone opens the keypad the number needs: digits for a count, a decimal
        # point for money. A line without a metric yet is most likely a count.
        self.fields["quantity"].widget.attrs["inputmode"] = (
            "decimal" if self.is_money else "numeric"
        )

    @property
    def is_money(self) -> bool:
        """Whether the line's metric (as submitted, or as offered) is money."""
        value = (
            self.data.get(self.add_prefix("metric"))
            if self.is_bound
            else self.initial.get("metric")
        )
        metric = self.fields["metric"].object_for(value)
        return bool(metric and metric.is_money)

    def clean(self):
        data = super().clean()
        metric, quantity = data.get("metric"), data.get("quantity")
        if quantity and metric is None:
            self.add_error("metric", _("Which metric is this number for?"))
        if metric and quantity is not None and not metric.is_money and quantity % 1:
            self.add_error(
                "quantity", _("%(metric)s is counted in whole numbers.") % {"metric": metric}
            )
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, in_use: dict[str, set[int]] | None = None, **kwargs):
        """``in_use``: ids per field already on the day's rows, offered even if
        they were deactivated since, so an old row never blocks saving."""
        super().__init__(*args, **kwargs)
        in_use = in_use or {}
        catalogue = {"metric": Metric, "channel": Channel, "product": Product}
        self._catalogue = {
            name: list(model.objects.filter(Q(active=True) | Q(pk__in=in_use.get(name, ()))))
            for name, model in catalogue.items()
        }

    def catalogue_names(self) -> dict[str, dict[str, str]]:
        """Display names by key (sku for products), as the change log stores keys."""
        return {
            "metric": {m.key: m.label for m in self._catalogue["metric"]},
            "channel": {c.key: c.label for c in self._catalogue["channel"]},
            "product": {p.sku: p.name for p in self._catalogue["product"]},
        }

    def money_metric_ids(self) -> list[int]:
        """Metrics counted in money, for the page's script to switch a line's keypad
        and its +1 button when its metric changes."""
        return [m.pk for m in self._catalogue["metric"] if m.is_money]

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "catalogue": self._catalogue}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            data = form.cleaned_data
            if not data.get("metric"):
                continue
            key = (
                data["metric"].pk,
                getattr(data.get("channel"), "pk", None),
                getattr(data.get("product"), "pk", None),
            )
            if key in seen:
                form.add_error(
                    "metric",
                    _(
                        "This metric appears twice with the same channel and product; "
                        "put the number on one line."
                    ),
                )
            seen.add(key)

    def lines(self) -> list[DayLine]:
        return [
            DayLine(
                metric=f.cleaned_data["metric"],
                quantity=f.cleaned_data.get("quantity") or 0,
                channel=f.cleaned_data.get("channel"),
                product=f.cleaned_data.get("product"),
                note=f.cleaned_data.get("note", ""),
            )
            for f in self.forms
            if f.cleaned_data.get("metric")
        ]


LineFormSet = formset_factory(LineForm, formset=BaseLineFormSet, extra=2, max_num=60)


class ActivityForm(forms.Form):
    """One activity logged from a customer's or a deal's page: the customer and deal come
    from the page, the rep is their owner; the day's rules are the log service's."""

    metric = CatalogueChoiceField(
        label=gettext_lazy("Metric"),
        queryset=Metric.objects.active(),
        empty_label=gettext_lazy("choose a metric"),
    )
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "any"}),
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    channel = CatalogueChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.active(),
        required=False,
        empty_label=gettext_lazy("any channel"),
    )
    product = CatalogueChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.active(),
        required=False,
        empty_label=gettext_lazy("any product"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("what happened, what was agreed")}
        ),
    )

    def clean(self):
        data = super().clean()
        metric, quantity = data.get("metric"), data.get("quantity")
        if metric and quantity is not None and not metric.is_money and quantity % 1:
            self.add_error(
                "quantity", _("%(metric)s is counted in whole numbers.") % {"metric": metric}
            )
        if quantity is not None and not quantity:
            self.add_error("quantity", _("Log at least one."))
        return data

    def activity_fields(self) -> dict:
        names = ("metric", "quantity", "day", "channel", "product", "note")
        return {name: self.cleaned_data[name] for name in names}
