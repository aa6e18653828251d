"""The engine's input records: plain frozen dataclasses, so the engine never depends on the ORM.

Datetimes must be timezone-aware (the engine compares and subtracts them, and groups by ISO week).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Kind = Literal["planned", "hotfix", "rollback"]

SUCCESS = "success"
PRODUCTION = "production"
UNPLANNED_KINDS = frozenset({"hotfix", "rollback"})


@dataclass(frozen=True)
class Deployment:
    """One deployment to one environment. ``change_shas`` are the commits it *brings* (listed explicitly)."""

    id: Hashable
    environment: str
    tier: str  # "production", "staging", ... — only tier "production" counts for DORA
    status: str  # "success" counts; anything else ("failure", "error", ...) never reached production
    kind: Kind
    started_at: datetime
    finished_at: datetime
    rollback_of: Hashable | None = None  # id of the deployment this one rolls back
    components: tuple[str, ...] = ()
    change_shas: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCESS

    @property
    def is_production(self) -> bool:
        return self.tier == PRODUCTION


@dataclass(frozen=True)
class Change:
    """One commit. Lead time starts at ``committed_at``."""

    sha: str
    committed_at: datetime
    authored_at: datetime
    pr_merged_at: datetime | None = None


@dataclass(frozen=True)
class Incident:
    """A production incident; ``caused_by``/``fixed_by`` are deployment ids when known."""

    id: Hashable
    environment: str
    started_at: datetime
    detected_at: datetime
    resolved_at: datetime | None
    caused_by: Hashable | None = None
    fixed_by: Hashable | None = None
