from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    name = "apps.requirements"
    verbose_name = "Requirements"
