"""manage.py seed_demo — a demo user and project, and a teammate to add to projects (the README's tour),
safe to run again (idempotent)."""

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
# Nobody's teammate yet: the README's tour adds them to a project (by username or email).
TEAMMATE_USERNAME = "teammate"
TEAMMATE_EMAIL = "teammate@example.com"
DEMO_PROJECT = {"name": "Payments API", "slug": "payments-api",
                "description": "A demo backend: card payments, refunds and payouts."}


class Command(BaseCommand):
    help = "Create the demo user, a teammate and the demo project if they don't exist, and print the login."

    @transaction.atomic
    def handle(self, *args, **options):
        user = self.account(DEMO_USERNAME, DEMO_EMAIL, first_name="Demo", last_name="User")
        self.account(TEAMMATE_USERNAME, TEAMMATE_EMAIL, first_name="Tess", last_name="Mate")
        with change_source("cli"):
            project = Project.objects.filter(slug=DEMO_PROJECT["slug"]).first()
            if project is None:
                project = project_create(actor=user, **DEMO_PROJECT)
            seed_project(project=project, user=user)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: log in as '{DEMO_USERNAME}' / '{DEMO_PASSWORD}' and open project '{project.slug}'."
        ))

    @staticmethod
    def account(username: str, email: str, **names):
        """A user with a verified email address (and the demo password), made once."""
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email, **names})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user
