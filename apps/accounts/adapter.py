"""allauth's hooks for Threadline: its emails speak in the site's name (settings.SITE_NAME).

Without django.contrib.sites, allauth names the site after the request's host, so a mail would greet
"Hello from 127.0.0.1:8000!". Here every mail allauth sends (verification, password reset, security
notices) gets a ``current_site`` whose name is SITE_NAME; the domain stays the host the user came from,
since that is where the links in the mail point.
"""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings


@dataclass(frozen=True)
class EmailSite:
    """What allauth's mail templates read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        domain = request.get_host() if request is not None else ""
        site = EmailSite(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
