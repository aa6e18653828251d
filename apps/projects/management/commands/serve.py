"""manage.py serve — the development server that `make run` starts, ending its start-up with how to
log in (after Django's banner, so the login line is the last thing on the console)."""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from .seed_demo import DEMO_PASSWORD, DEMO_PROJECT, DEMO_USERNAME


class Command(RunserverCommand):
    help = "Run the development server and say how to log in to the demo."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        url = f"http://{self.addr}:{server_port}/"
        self.stdout.write(self.style.SUCCESS(
            f"\nThreadline is up: open {url} and log in as '{DEMO_USERNAME}' / '{DEMO_PASSWORD}' "
            f"(project '{DEMO_PROJECT['slug']}').\n"
        ))
