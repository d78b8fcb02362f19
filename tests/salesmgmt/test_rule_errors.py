"""salesmgmt.web.apply_rule_errors: a service's refusal lands where the user sees it."""

from django import forms

from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.web import apply_rule_errors


class _Form(forms.Form):
    name = forms.CharField()
    link = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _form():
    form = _Form({"name": "x", "link": "3"})
    assert form.is_valid()
    return form


def test_error_of_a_visible_field_stays_on_it():
    form = _form()
    apply_rule_errors(form, RuleViolation({"name": "Too short."}))
    assert form.errors == {"name": ["Too short."]}


def test_errors_of_hidden_and_unknown_fields_and_conflicts_go_on_top():
    """A hidden field renders no errors: its message goes on top of the form."""
    form = _form()
    apply_rule_errors(form, RuleViolation({"link": "Not about this rep.", "other": "No."}))
    apply_rule_errors(form, ConflictError("Changed meanwhile."))
    assert form.non_field_errors() == ["Not about this rep.", "No.", "Changed meanwhile."]
    assert "link" not in form.errors
