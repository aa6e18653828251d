"""Forms for requirement pages: they parse input; the models' rules are checked once, by the services."""

from django import forms
from django.urls import reverse

from apps.core.forms import LookupInput, ServiceModelForm

from . import workflow
from .models import AcceptanceCriterion, Requirement, RequirementComment


class RequirementForm(ServiceModelForm):
    labels = forms.CharField(required=False, help_text="Comma-separated, e.g. security, psd2.")
    parent = forms.CharField(required=False, label="Parent requirement",
                             help_text="Type a key or words of its title, then pick it (e.g. REQ-3).")  # fmt: skip
    criteria = forms.CharField(
        required=False, label="Acceptance criteria", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line; Given … when … then … works well. More can be added later.",
    )

    class Meta:
        model = Requirement
        fields = ["title", "description", "type", "category", "priority", "owner", "parent", "labels",
                  "rationale", "source"]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"description": "Markdown: **bold**, lists, `code`, tables."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as text (names, a key), not the ids ModelForm would put here.
        saved = self.instance.pk is not None
        if saved:
            del self.fields["criteria"]  # an existing requirement's criteria are edited on its page
        options = reverse("requirements:requirement_options", args=[self.instance.project.slug])
        self.fields["parent"].widget = LookupInput(options_url=options)
        self.initial["labels"] = ", ".join(label.name for label in self.instance.labels.all()) if saved else ""
        self.initial["parent"] = self.instance.parent.key if self.instance.parent_id else ""

    def clean_parent(self):
        key = self.cleaned_data["parent"].strip().split(" ", 1)[0]  # "REQ-3 · Refunds" as suggested
        if not key:
            return None
        parent = Requirement.objects.by_key(self.instance.project, key)
        if parent is None:
            raise forms.ValidationError(f"There is no requirement {key} in this project.")
        return parent

    def clean_criteria(self):
        return [line.strip() for line in self.cleaned_data["criteria"].splitlines() if line.strip()]

    def clean_labels(self):
        from .services import split_labels

        return split_labels(self.cleaned_data["labels"])


class CriterionForm(ServiceModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["text", "met"]
        labels = {"text": "Criterion", "met": "Met"}
        widgets = {"text": forms.TextInput(attrs={"placeholder": "Given …, when …, then …"})}


class CommentForm(ServiceModelForm):
    class Meta:
        model = RequirementComment
        fields = ["body"]
        labels = {"body": "Add a comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "placeholder": "Markdown welcome."})}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=workflow.STATUSES)
    comment = forms.CharField(required=False, max_length=2000)


class BulkForm(forms.Form):
    """The list page's bulk bar: change status of, or add/remove a label on, the ticked requirements."""

    ACTIONS = [("status", "Change status"), ("label_add", "Add label"), ("label_remove", "Remove label")]

    numbers = forms.TypedMultipleChoiceField(coerce=int, label="Requirements")
    action = forms.ChoiceField(choices=ACTIONS)
    to = forms.ChoiceField(choices=[("", "New status…"), *workflow.STATUSES], required=False, label="New status")
    label = forms.CharField(required=False, max_length=50, label="Label")

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["numbers"].choices = [(n, n) for n in numbers]
        self.fields["numbers"].error_messages["required"] = "Tick at least one requirement."

    def clean(self):
        data = super().clean()
        if data.get("action") == "status" and not data.get("to"):
            self.add_error("to", "Choose the new status.")
        if data.get("action", "").startswith("label") and not data.get("label", "").strip():
            self.add_error("label", "Type a label.")
        return data
