"""Account pages of our own: profile and API tokens. Sign-up, login, email, password and 2FA are allauth's."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.views import generic

from apps.core.services import instance_save

from .forms import ApiTokenForm, ProfileForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke

NEW_TOKEN_SESSION_KEY = "threadline_new_token"


class ProfileView(LoginRequiredMixin, generic.UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        # The concrete row, not request.user's lazy wrapper: services look up its model class.
        return get_user_model().objects.get(pk=self.request.user.pk)

    def get_context_data(self, **kwargs):
        from allauth.mfa.models import Authenticator

        return super().get_context_data(
            emails=self.request.user.emailaddress_set.all(),
            has_totp=Authenticator.objects.filter(user=self.request.user, type=Authenticator.Type.TOTP).exists(),
            **kwargs,
        )

    def form_valid(self, form):
        instance_save(instance=form.instance, actor=self.request.user)
        messages.success(self.request, "Profile saved.")
        return redirect(self.success_url)


class ApiTokenListView(LoginRequiredMixin, generic.FormView):
    """Your tokens, and the form to mint one. A new token's secret is shown once, right after."""

    form_class = ApiTokenForm
    template_name = "accounts/token_list.html"
    success_url = reverse_lazy("accounts:token_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        tokens = ApiToken.objects.filter(user=self.request.user).prefetch_related("projects")
        return super().get_context_data(
            tokens=tokens, new_token=self.request.session.pop(NEW_TOKEN_SESSION_KEY, None), **kwargs
        )

    def form_valid(self, form):
        try:
            token, raw = api_token_create(user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        self.request.session[NEW_TOKEN_SESSION_KEY] = {"name": token.name, "secret": raw}
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ApiTokenRevokeView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        api_token_revoke(token=token, actor=request.user)
        messages.success(request, f"Revoked “{token.name}”. Calls with it now get 401.")
        return redirect("accounts:token_list")
