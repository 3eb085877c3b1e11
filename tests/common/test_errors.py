"""A service's ValidationError reads the same on pages and in the API."""

from django import forms
from django.core.exceptions import ValidationError

from common.errors import add_to_form, error_fields, error_messages


class _Form(forms.Form):
    title = forms.CharField(required=False)


def test_a_plain_error_is_a_non_field_error():
    error = ValidationError(["first", "second"])

    assert error_fields(error) == {"__all__": ["first", "second"]}
    assert error_messages(error) == ["first", "second"]


def test_a_field_error_lands_on_its_field_and_an_unknown_field_above_the_form():
    form = _Form(data={})
    form.is_valid()

    add_to_form(form, ValidationError({"title": "too short", "other": "elsewhere"}))

    assert form.errors["title"] == ["too short"]
    assert form.non_field_errors() == ["elsewhere"]
