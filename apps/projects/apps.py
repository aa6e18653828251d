from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    verbose_name = "Projects"

    def ready(self):
        from . import signals  # noqa: F401  (connects the email_confirmed receiver)
