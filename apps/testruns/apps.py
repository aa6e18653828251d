from django.apps import AppConfig


class TestrunsConfig(AppConfig):
    name = "apps.testruns"
    verbose_name = "Test runs"
