from django.apps import AppConfig


class TestrunsConfig(AppConfig):
    name = "apps.testruns"
    verbose_name = "Test runs"

    def ready(self):
        from apps.projects.management.commands.seed_demo import SEED_HOOKS
        from apps.projects.overview import register_card

        from .demo import seed_demo_runs
        from .overview import testruns_card

        register_card("testruns", testruns_card)
        SEED_HOOKS.append(seed_demo_runs)
