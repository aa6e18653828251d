from django.apps import AppConfig


class TestrunsConfig(AppConfig):
    name = "apps.testruns"
    verbose_name = "Test runs"

    def ready(self):
        from apps.core.registry import register_app

        from .demo import seed_demo_runs
        from .overview import testruns_card

        register_app(self, title="Test runs", icon="clipboard2-pulse", order=40, path="test-runs",
                     card=testruns_card, seed=seed_demo_runs)  # fmt: skip
