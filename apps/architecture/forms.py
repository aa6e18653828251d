"""Forms of the architecture pages: they parse input; the models' rules are checked once, by the services."""

from django import forms
from django.conf import settings

from apps.core.forms import ServiceModelForm
from apps.requirements.models import Requirement

from .models import Component, DataModelVersion, Decision, Document, parse_adr_key
from .services import split_tags


class ComponentForm(ServiceModelForm):
    tags = forms.CharField(required=False, help_text="Separated by spaces or commas, e.g. python pci tier-1.")

    class Meta:
        model = Component
        fields = ["key", "name", "kind", "lifecycle", "system", "parent", "owner", "team", "technology",
                  "repository_url", "tags", "description"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repository_url"].assume_scheme = "https"  # "github.com/acme/x" is an https URL
        if self.instance.pk:
            self.initial["tags"] = " ".join(tag.name for tag in self.instance.tags.all())
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk=self.instance.pk)

    def clean_tags(self):
        return split_tags(self.cleaned_data["tags"])


class DecisionForm(ServiceModelForm):
    requirements = forms.CharField(required=False, help_text="Requirement keys, e.g. REQ-1, REQ-4.")
    supersedes = forms.CharField(required=False, help_text="Decisions this one replaces, e.g. ADR-0002. "
                                 "They become superseded.")  # fmt: skip

    class Meta:
        model = Decision
        fields = ["title", "status", "date", "deciders", "context", "considered_options", "decision",
                  "consequences", "components", "requirements", "supersedes"]  # fmt: skip
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in
                   ("context", "considered_options", "decision", "consequences")}  # fmt: skip
        widgets["date"] = forms.DateInput(attrs={"type": "date"})
        widgets["components"] = forms.SelectMultiple(attrs={"size": 6})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            links = self.instance.requirement_links.select_related("requirement")
            self.initial["requirements"] = ", ".join(link.requirement.key for link in links)
            self.initial["supersedes"] = ", ".join(d.key for d in self.instance.supersedes.all())

    def _keys(self, name):
        return [k for k in self.cleaned_data[name].replace(";", ",").replace(" ", ",").split(",") if k.strip()]

    def clean_requirements(self):
        found, missing = Requirement.objects.by_keys(self.instance.project, self._keys("requirements"))
        if missing:
            raise forms.ValidationError(f"Not in this project: {', '.join(missing)}.")
        return found

    def clean_supersedes(self):
        found, missing = [], []
        for key in self._keys("supersedes"):
            number = parse_adr_key(key)
            decision = Decision.objects.filter(project=self.instance.project, number=number).first() if number else None
            (found if decision else missing).append(decision or key)
        if missing:
            raise forms.ValidationError(f"Not in this project: {', '.join(missing)}.")
        return found


class DocumentForm(ServiceModelForm):
    class Meta:
        model = Document
        fields = ["title", "component", "components", "source", "description"]
        widgets = {
            "source": forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "font-monospace"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "components": forms.SelectMultiple(attrs={"size": 6}),
        }
        labels = {"source": "Mermaid source", "component": "Attached to", "components": "Components it shows"}
        help_texts = {"source": "Mermaid 11: flowchart, sequenceDiagram, classDiagram, stateDiagram-v2, "
                                "erDiagram, C4Context … The preview updates as you type."}  # fmt: skip


class SchemaUploadForm(forms.Form):
    """A new version of a data model: a file or pasted text, DBML or SQL DDL."""

    file = forms.FileField(required=False, help_text="A .dbml or .sql file.")
    text = forms.CharField(required=False, label="…or paste it", widget=forms.Textarea(
        attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}))  # fmt: skip
    format = forms.ChoiceField(choices=DataModelVersion.Format.choices, initial="sql")
    dialect = forms.ChoiceField(choices=DataModelVersion.Dialect.choices, required=False, initial="postgres",
                                help_text="For SQL DDL.")  # fmt: skip
    label = forms.CharField(required=False, max_length=100, help_text='e.g. "v2" or a commit.')

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        limit = settings.ARCHITECTURE_MAX_SCHEMA_BYTES
        if upload is not None:
            if upload.size > limit:
                raise forms.ValidationError(f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB.")
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not text.strip():
            raise forms.ValidationError("Choose a file or paste the schema.")
        data["source"] = text
        return data


class CatalogUploadForm(forms.Form):
    file = forms.FileField(required=False, label="Catalog file",
                           help_text="Backstage's format; several documents separated by ---.")  # fmt: skip
    text = forms.CharField(required=False, label="…or paste it", widget=forms.Textarea(
        attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}))  # fmt: skip

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        limit = settings.ARCHITECTURE_MAX_CATALOG_BYTES
        if upload is not None:
            if upload.size > limit:
                raise forms.ValidationError(f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB.")
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not text.strip():
            raise forms.ValidationError("Choose a file or paste the YAML.")
        data["text"] = text
        return data


class AdrUploadForm(forms.Form):
    file = forms.FileField(label="Zip of decision records",
                           help_text="MADR markdown files (YAML front matter) or adr-tools' plain format.")  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ARCHITECTURE_MAX_ADR_ZIP_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is {upload.size // 1024} KB; the limit is {limit // 1024} KB.")
        return upload.read()
