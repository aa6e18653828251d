from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    name = "apps.requirements"
    verbose_name = "Requirements"

    def ready(self):
        from apps.core.registry import register_app

        from .overview import requirements_card
        from .seed import seed_requirements

        register_app(self, title="Requirements", icon="card-checklist", order=10, card=requirements_card,
                     seed=seed_requirements)  # fmt: skip
