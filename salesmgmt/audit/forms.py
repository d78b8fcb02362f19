from django import forms
from django.utils.translation import gettext_lazy as _

from salesmgmt.audit.registry import registry
from salesmgmt.audit.selectors import AuditFilters, field_choices
from salesmgmt.filtering import Lookup
from salesmgmt.models import User


class AuditFilterForm(forms.Form):
    """The audit view's filters (the page and its CSV alike)."""

    type = forms.ChoiceField(label=_("Object type"), required=False)
    user = forms.ModelChoiceField(
        queryset=User.objects.all(),
        required=False,
        label=_("Changed by"),
        widget=Lookup("people_lookup"),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Object (name or id)"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Field"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = sorted(
            ((key, str(registry.label(key)).capitalize()) for key in registry.all_keys()),
            key=lambda item: item[1],
        )
        self.fields["type"].choices = [("", _("Any")), *types]
        self.fields["field"].choices = [
            ("", _("Any")),
            *((name, label.capitalize()) for name, label in field_choices()),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end comes before the start."))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            sources=(data["type"],) if data.get("type") else (),
            user_id=data["user"].pk if data.get("user") else None,
            start=data.get("start"),
            end=data.get("end"),
            search=data.get("q") or "",
            field=data.get("field") or "",
        )
