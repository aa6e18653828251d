"""The five DORA keys from the database: what the pages and the API show.

- ``report``: ``dora_report``, ``dora_drill_down``, ``dora_trend`` — the reference engine's ``dora``,
  ``drill_down`` and ``weekly_trend`` (apps/deployments/dora/metrics.py states the semantics), as SQL aggregates.
- ``deliveries``: the ``ChangeDelivery`` table (each change's first delivery to each environment, the start of lead
  time), kept by ``record_deliveries`` after every deployment report.
- ``figures``: the queries behind each figure; ``records``: the project's rows as engine records (the tests compare
  the two; the queries fall back to the engine when a rollback crosses production environments).
"""

from .deliveries import forget_deployment, rebuild_deliveries, record_deliveries, refresh_deliveries
from .records import engine_records
from .report import API_NAMES, dora_drill_down, dora_report, dora_trend

__all__ = [
    "API_NAMES",
    "dora_drill_down",
    "dora_report",
    "dora_trend",
    "engine_records",
    "forget_deployment",
    "rebuild_deliveries",
    "record_deliveries",
    "refresh_deliveries",
]
