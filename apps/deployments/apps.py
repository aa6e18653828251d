from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "apps.deployments"
    verbose_name = "Deployments"

    def ready(self):
        from apps.core.registry import register_app

        from .overview import deployments_card
        from .seed import seed_deployments

        register_app(self, title="Deployments", icon="rocket-takeoff", order=50, sections=True, tab="overview",
                     section_pages=(("DORA", "dora"), ("Compare", "environment_compare")), seed=seed_deployments,
                     card=deployments_card,
                     hint="No deployments yet. Report one from CI: POST …/deployments/.")  # fmt: skip
