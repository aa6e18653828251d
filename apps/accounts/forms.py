from django import forms
from django.contrib.auth import get_user_model

from apps.projects.models import Project


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'GitHub Actions'.")
    read_only = forms.BooleanField(required=False, help_text="Only allow reading (GET) requests.")
    # Explicit, and ticked by default: an empty project list never means "all" (see ApiToken).
    all_projects = forms.BooleanField(
        label="All my projects", required=False, initial=True,
        help_text="Including projects you join later. Untick it to choose some projects below.",
    )
    projects = forms.ModelMultipleChoiceField(
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these, with “All my projects” unticked. A deleted project or one you leave is "
        "not replaced by others.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[(7, "in 7 days"), (30, "in 30 days"), (90, "in 90 days"), (365, "in a year"), ("", "never")],
        initial=90,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.for_user(user)
