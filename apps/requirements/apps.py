from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    name = "apps.requirements"
    verbose_name = "Requirements"

    def ready(self):
        from apps.projects.management.commands.seed_demo import SEED_HOOKS
        from apps.projects.overview import register_card

        from .overview import requirements_card
        from .seed import seed_requirements

        register_card("requirements", requirements_card)
        if seed_requirements not in SEED_HOOKS:
            SEED_HOOKS.append(seed_requirements)
