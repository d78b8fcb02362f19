from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from activities.customers.services import CUSTOMER_FIELDS, check_closed_reason
from activities.models import Channel, Contact, Customer, LostReason
from salesmgmt.filtering import Lookup
from salesmgmt.org.services import reps_writable_by


class CustomerForm(forms.ModelForm):
    """A customer's own fields. Owner choices are the reps the writer may act for;
    a rep always owns what they create, so the field is left out for reps.

    The rules (owner in scope, a reason for 'did not buy' and 'lost') are the
    service's: the view shows its refusals next to these fields.
    """

    class Meta:
        model = Customer
        fields = list(CUSTOMER_FIELDS)
        labels = {
            "lost_reason": _("Why they did not buy"),
            "lost_note": _("Note on why"),
            "external_id": _("External ID"),
        }
        help_texts = {
            "lost_reason": _("Required when the status is Did not buy or Lost."),
            "external_id": _("The customer's key in another system (ERP, web forms); optional."),
        }
        widgets = {
            "lost_note": forms.Textarea(attrs={"rows": 2}),
            # Among thousands of reps: found by typing (the scoped people lookup).
            "owner": Lookup("people_lookup", "role=rep"),
        }

    # The version the page showed (not a model field here: the service checks it).
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance
        if current.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = current.version
        if user.is_rep:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = reps_writable_by(user).filter(
                Q(is_active=True) | Q(pk=current.owner_id)
            )
            self.fields["owner"].empty_label = _("choose a rep")
        # Retired choices stay available to the customers that already use them.
        self.fields["source_channel"].queryset = Channel.objects.filter(
            Q(active=True) | Q(pk=current.source_channel_id)
        )
        self.fields["source_channel"].empty_label = _("unknown")
        self.fields["lost_reason"].queryset = LostReason.objects.filter(
            Q(active=True) | Q(pk=current.lost_reason_id)
        )
        self.fields["lost_reason"].empty_label = "—"
        self.fields["segment"].choices = [("", "—"), *self.fields["segment"].choices[1:]]

    def clean_external_id(self):
        value = self.cleaned_data["external_id"].strip()
        if (
            value
            and Customer.objects.filter(external_id=value).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError(_("Another customer already has this external ID."))
        return value

    def clean(self):
        data = super().clean()
        # The service's rule, applied before the model's check constraint answers
        # in SQL words; save_customer applies it again when it writes.
        if "status" in data and "lost_reason" in data:
            check_closed_reason(data["status"], data["lost_reason"])
        return data

    def validate_unique(self):
        # The model's constraints would speak in SQL constraint names; clean_external_id
        # and the service carry the same rules with words people understand.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


ContactFormSet = inlineformset_factory(
    Customer,
    Contact,
    fields=["name", "role", "phone", "email"],
    extra=2,
    can_delete=True,
    max_num=50,
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "The first row names the columns with the keys listed on this page, in English "
            "whatever your language: they are what the import reads. The headers of our "
            "customer export are read too."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
