from django import forms

from apps.core.permissions import Role

from .models import Project


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "slug", "description"]
        # The slug follows the name as it is typed, until someone edits the slug (static/js/threadline.js).
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "slug": forms.TextInput(attrs={"data-slug-from": "#id_name"}),
        }


class ProjectSettingsForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "slug", "description", "archived"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class MemberAddForm(forms.Form):
    user = forms.CharField(label="Username or email", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        # The members page's filter form has a "role" too: ids of its own, so each label names its field.
        kwargs.setdefault("auto_id", "add-%s")
        super().__init__(*args, **kwargs)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "invite-%s")  # shown beside the filter and add forms (see MemberAddForm)
        super().__init__(*args, **kwargs)
