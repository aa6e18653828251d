from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "apps.contracts"
    verbose_name = "API contracts"

    def ready(self):
        from apps.core.registry import register_app

        from .overview import contracts_card
        from .seed import seed_contracts

        register_app(self, title="Contracts", icon="file-earmark-code", order=30, card=contracts_card,
                     seed=seed_contracts, sections=True)  # fmt: skip
