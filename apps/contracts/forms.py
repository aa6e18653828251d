"""Forms of the contract pages: they parse input; the rules are checked once, by the services."""

from django import forms
from django.conf import settings

from apps.core.forms import ServiceModelForm

from .models import LintSetting


class SpecUploadForm(forms.Form):
    """A new version: a file (JSON, YAML, or a zip of files with relative $refs) or pasted text."""

    spec = forms.FileField(
        required=False, label="Spec file",
        help_text="OpenAPI 3.x or Swagger 2.0, JSON or YAML; a .zip for a spec split over files.")  # fmt: skip
    text = forms.CharField(required=False, label="…or paste it", widget=forms.Textarea(
        attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}))  # fmt: skip
    version = forms.CharField(required=False, max_length=100, label="Version label",
                              help_text="Default: the spec's info.version.")  # fmt: skip

    def clean(self):
        data = super().clean()
        upload, text = data.get("spec"), data.get("text") or ""
        limit = settings.CONTRACTS_MAX_SPEC_BYTES
        if upload is not None:
            if upload.size > limit:
                raise forms.ValidationError(f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB.")
            data["data"], data["filename"] = upload.read(), upload.name
        elif text.strip():
            data["data"], data["filename"] = text.encode(), ""
        else:
            raise forms.ValidationError("Choose a file or paste the spec.")
        return data


class LintSettingForm(ServiceModelForm):
    """A rule picked from the ruleset (the model checks the name too, for the API)."""

    class Meta:
        model = LintSetting
        fields = ["rule", "severity"]

    def __init__(self, *args, **kwargs):
        from .openapi.lint import RULES

        super().__init__(*args, **kwargs)
        self.fields["rule"] = forms.ChoiceField(
            choices=[(rule.id, f"{rule.id} ({rule.severity}): {rule.description}") for rule in RULES],
            help_text="Its default severity is in brackets.")  # fmt: skip
