from django.apps import AppConfig


class ArchitectureConfig(AppConfig):
    name = "apps.architecture"
    verbose_name = "Architecture"

    def ready(self):
        from apps.core.registry import register_app

        from .overview import architecture_card
        from .seed import seed_architecture

        register_app(self, title="Architecture", icon="diagram-3", order=20, card=architecture_card,
                     seed=seed_architecture, tab="overview", sections=True)  # fmt: skip
