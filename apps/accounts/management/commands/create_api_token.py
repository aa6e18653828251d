"""manage.py create_api_token USERNAME [--project SLUG …] [--read-only] [--expires-days N] — for CI bootstrap.

Without --project the token may use all of the user's projects (also ones joined later); with it,
only those projects, for good.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.changelog import change_source
from apps.projects.models import Project

from ...services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--project", action="append", default=[], dest="projects", metavar="SLUG",
                            help="Limit the token to this project (repeatable); default: all the user's projects.")
        parser.add_argument("--read-only", action="store_true")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, username, name, projects, read_only, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        found = list(Project.objects.filter(slug__in=projects))
        missing = sorted(set(projects) - {p.slug for p in found})
        if missing:
            raise CommandError(f"No project with slug: {', '.join(missing)}.")
        try:
            with change_source("cli"):
                _, raw = api_token_create(
                    user=user, name=name, read_only=read_only, all_projects=not projects, projects=found,
                    expires_in_days=expires_days,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
