from django import forms
from django.forms import formset_factory

from .models import Channel, Metric, Product
from .services import DayLine


class DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class LineForm(forms.Form):
    metric = forms.ModelChoiceField(
        queryset=Metric.objects.active(), required=False, empty_label="choose a metric"
    )
    quantity = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "any"}),
    )
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.active(), required=False, empty_label="any channel"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.active(), required=False, empty_label="any product"
    )
    note = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        metric, quantity = data.get("metric"), data.get("quantity")
        if quantity and metric is None:
            self.add_error("metric", "Which metric is this number for?")
        if metric and quantity is not None and not metric.is_money and quantity % 1:
            self.add_error("quantity", f"{metric.name} is counted in whole numbers.")
        return data


class BaseLineFormSet(forms.BaseFormSet):
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
                    "This metric appears twice with the same channel and product; "
                    "put the number on one line.",
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
