"""Forms that parse input; the model's validation runs once, in the service that saves.

A Django ModelForm runs the model's ``full_clean`` while validating, and the service that saves
runs it again. ``ServiceModelForm`` only turns the input into the instance; the service's
ValidationError comes back onto the form's fields (``add_service_errors``), so a rule lives in the
model once and is checked once per write — through a page, the API or the admin alike.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import construct_instance, modelform_factory

from .models import limit_to_project


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose choices of related rows are limited to the instance's project."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = getattr(self.instance, "project", None) if hasattr(self.instance, "project_id") else None
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:  # a related row
                if getattr(field, "empty_label", None) == "---------":
                    field.empty_label = "—"  # an optional choice reads "—" (none), not Django's "---------"
                if project is not None:
                    field.queryset = limit_to_project(queryset, project)
                if queryset.model is get_user_model():
                    field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
            elif getattr(field, "choices", None) and list(field.choices)[0] == ("", "---------"):
                field.choices = [("", "—"), *list(field.choices)[1:]]

    def _post_clean(self):
        # Django's version validates the model here; the service does, once.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as exc:
            self._update_errors(exc)


def project_model_form(model, fields: list[str]) -> type[ServiceModelForm]:
    widgets = {
        f.name: forms.Textarea(attrs={"rows": 6}) for f in model._meta.fields if f.get_internal_type() == "TextField"
    }
    return modelform_factory(model, form=ServiceModelForm, fields=fields, widgets=widgets)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on a field the form has, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        if target is None and field != NON_FIELD_ERRORS:
            errors = [ValidationError(f"{field.replace('_', ' ').capitalize()}: {m}") for e in errors for m in e]
        form.add_error(target, errors)


class LookupInput(forms.TextInput):
    """A text input that suggests values as you type: htmx fetches ``<option>``s from ``options_url``
    (a page answering ``?q=``) into the input's own ``<datalist>``. Works as a plain text box without
    JavaScript; the form still validates whatever is typed."""

    def __init__(self, options_url: str = "", attrs=None):
        super().__init__(attrs)
        self.options_url = options_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-options"
        context["widget"]["attrs"].update({
            "list": list_id, "autocomplete": "off", "hx-get": self.options_url, "hx-target": f"#{list_id}",
            "hx-trigger": "input changed delay:250ms, focus once", "hx-params": name, "hx-swap": "innerHTML",
        })  # fmt: skip
        context["widget"]["list_id"] = list_id
        return context

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html

        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or name}-options"
        return format_html('{}<datalist id="{}"></datalist>', html, list_id)
