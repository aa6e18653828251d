"""manage.py seed_demo — a demo user and project, safe to run again (idempotent)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core.changelog import change_source
from apps.core.registry import seed_project
from apps.projects.models import Project
from apps.projects.services import project_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "threadline-demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PROJECT = {"name": "Payments API", "slug": "payments-api",
                "description": "A demo backend: card payments, refunds and payouts."}


class Command(BaseCommand):
    help = "Create the demo user and project if they don't exist, and print the login."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": DEMO_EMAIL, "first_name": "Demo", "last_name": "User"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        with change_source("cli"):
            project = Project.objects.filter(slug=DEMO_PROJECT["slug"]).first()
            if project is None:
                project = project_create(actor=user, **DEMO_PROJECT)
            seed_project(project=project, user=user)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: log in as '{DEMO_USERNAME}' / '{DEMO_PASSWORD}' and open project '{project.slug}'."
        ))
