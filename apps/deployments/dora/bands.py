"""DORA performance bands: the elite/high/medium/low thresholds per metric, and ``band(metric, value)``.

Source: *Accelerate State of DevOps Report 2023* (DORA / Google Cloud), "Software delivery performance" clusters.
VERIFICATION: the report itself could not be opened from this environment (the searchable copies of third-party
summaries, e.g. octopus.com "The 2023 DevOps performance clusters", only showed their introductions), so the
figures below are the commonly cited 2023 thresholds, NOT checked line by line against the report. From memory the
2023 report gives, per cluster (elite / high / medium / low):
  - deployment frequency: on demand (multiple deploys per day) / between once per day and once per week /
    between once per week and once per month / between once per week and once per month;
  - change lead time: less than one day / between one day and one week / between one week and one month /
    between one week and one month;
  - change failure rate: 5% / 10% / 15% / 64%;
  - failed deployment recovery time: less than one hour / less than one day / between one day and one week /
    between one month and six months.
The report publishes clusters (typical values), not cut-offs, so turning them into contiguous thresholds is our
interpretation: the common reading "medium = weekly–monthly, low = less than monthly / more than a month" is used.

Deployment rework rate was introduced by the 2024 report (Accelerate State of DevOps Report 2024) without
performance bands, so ``band("deployment_rework_rate", x)`` is always None.
"""

from __future__ import annotations

DAY = 86_400.0
WEEK = 7 * DAY
MONTH = 30 * DAY  # "one month" taken as 30 days

# Each metric's thresholds are (band, bound, comparison) checked best band first; the first comparison that holds
# wins, otherwise the fallback band. "rule" says whether higher or lower is better (None = no bands).
BANDS: dict[str, dict] = {
    "deployment_frequency": {
        "unit": "deployments/week",
        # elite: more than once a day (> 7/week); high: daily to weekly (1..7/week); medium: weekly to monthly
        # (7/30 .. 1 per week); low: less than monthly.
        "rule": "higher",
        "thresholds": [("elite", 7.0, "gt"), ("high", 1.0, "ge"), ("medium", 7.0 / 30.0, "ge")],
        "fallback": "low",
    },
    "lead_time_for_changes": {
        "unit": "seconds",
        # elite < 1 day; high 1 day .. < 1 week; medium 1 week .. < 1 month; low >= 1 month.
        "rule": "lower",
        "thresholds": [("elite", DAY, "lt"), ("high", WEEK, "lt"), ("medium", MONTH, "lt")],
        "fallback": "low",
    },
    "change_failure_rate": {
        "unit": "fraction",
        # elite <= 5 %; high <= 10 %; medium <= 15 %; low > 15 % (the 2023 low cluster sits at 64 %).
        "rule": "lower",
        "thresholds": [("elite", 0.05, "le"), ("high", 0.10, "le"), ("medium", 0.15, "le")],
        "fallback": "low",
    },
    "failed_deployment_recovery_time": {
        "unit": "seconds",
        # elite < 1 hour; high < 1 day; medium < 1 week; low >= 1 week.
        "rule": "lower",
        "thresholds": [("elite", 3_600.0, "lt"), ("high", DAY, "lt"), ("medium", WEEK, "lt")],
        "fallback": "low",
    },
    "deployment_rework_rate": {
        "unit": "fraction",
        # DORA 2024 introduced the metric without bands.
        "rule": None,
        "thresholds": [],
        "fallback": None,
    },
}

SOURCE = "Accelerate State of DevOps Report 2023 (DORA, Google Cloud) — commonly cited thresholds, not re-verified"

_OPS = {
    "gt": lambda v, b: v > b,
    "ge": lambda v, b: v >= b,
    "lt": lambda v, b: v < b,
    "le": lambda v, b: v <= b,
}


def band(metric: str, value: float | None) -> str | None:
    """The band ("elite", "high", "medium", "low") of ``value`` for ``metric``; None without a value or bands."""
    spec = BANDS[metric]  # KeyError on an unknown metric: a typo must not silently band as None
    if value is None or spec["rule"] is None:
        return None
    for name, bound, op in spec["thresholds"]:
        if _OPS[op](value, bound):
            return name
    return spec["fallback"]
