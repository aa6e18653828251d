"""Work recorded in the database and done by Celery workers: claim, lease, sweep — for any model.

The row is the record of the work; a Celery message only wakes a worker up and may be lost (the
broker down when sending, Redis restarted empty, a worker killed holding its unacknowledged
message). A model whose rows are units of work has ``status``, ``attempts``, ``queued_at`` and
``started_at``; a ``WorkQueue`` over it gives:

* ``claim(pk)``: a delivery takes the row in its own committed transaction (``processing``,
  ``attempts`` + 1, ``started_at``), so two deliveries never both work on it and a worker that dies
  still counted its attempt. Returns the attempt number, or the row's status when there is nothing
  to do (finished, held by a live worker, or out of attempts: then ``give_up`` finishes it).
* ``holds(row, attempt)``: the delivery still owns the row (nobody took it over since the claim).
* ``release(pk, attempt)``: hand it back (``queued``) for a retry.
* ``sweep()``: the rows whose message or worker was lost, handed back to the queue (their ids are
  returned for the caller to send again).

apps.testruns.pipeline predates this module and keeps its own copy of the same rules (with runs that
stay open for more reports); new apps use this one.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

SWEEP_BATCH = 500


@dataclass(frozen=True)
class WorkQueue:
    model: type
    finished: tuple[str, ...]  # statuses with nothing left to do
    lease_seconds: int = 15 * 60  # a claim older than this is presumed dead (all engines)
    resend_seconds: int = 120  # a queued row older than this gets a new message
    dead_worker_seconds: int = 30  # PostgreSQL: a processing row nobody holds locked, this long after its claim
    max_attempts: int = 3
    queued: str = "queued"
    processing: str = "processing"

    def abandoned(self, now=None) -> Q:
        """Rows whose work was lost. On PostgreSQL a live worker holds its row's lock and the sweep
        skips locked rows, so an unlocked processing row has lost its worker; elsewhere only the
        lease tells."""
        now = now or timezone.now()
        resend = now - timedelta(seconds=self.resend_seconds)
        dead_after = self.dead_worker_seconds if connection.vendor == "postgresql" else self.lease_seconds
        dead = now - timedelta(seconds=dead_after)
        queued = Q(status=self.queued) & (Q(queued_at__isnull=True) | Q(queued_at__lt=resend))
        taken = Q(status=self.processing) & (Q(started_at__isnull=True) | Q(started_at__lt=dead))
        return queued | taken

    def status(self, pk) -> str:
        return self.model.objects.filter(pk=pk).values_list("status", flat=True).first() or "missing"

    def claim(self, pk, *, give_up: Callable) -> int | str:
        with transaction.atomic():
            row = self.model.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:  # missing, or locked by the worker that is on it
                return self.status(pk)
            lease = timezone.now() - timedelta(seconds=self.lease_seconds)
            held = row.status == self.processing and row.started_at and row.started_at >= lease
            if row.status in self.finished or held:
                return row.status
            if row.attempts >= self.max_attempts:
                give_up(row)
                return self.status(pk)
            row.status, row.attempts, row.started_at = self.processing, row.attempts + 1, timezone.now()
            row.save(update_fields=["status", "attempts", "started_at", "updated_at"])
            return row.attempts

    def holds(self, row, attempt: int) -> bool:
        return row.status == self.processing and row.attempts == attempt

    def release(self, pk, attempt: int) -> None:
        with contextlib.suppress(DatabaseError):
            self.model.objects.filter(pk=pk, status=self.processing, attempts=attempt).update(
                status=self.queued, queued_at=timezone.now())

    def enqueue_failed(self, pk) -> None:
        """The broker refused the row's message: due for the next sweep (bookkeeping, not logged)."""
        self.model.objects.filter(pk=pk, status=self.queued).update(queued_at=None)

    def sweep(self, *, give_up: Callable) -> list:
        """Hand the abandoned rows back to the queue; return their ids for the caller to send. A row
        out of attempts is given up instead. Idempotent: a row sent twice is still claimed once."""
        now, requeued = timezone.now(), []
        with transaction.atomic():
            stale = self.model.objects.filter(self.abandoned(now)).select_for_update(skip_locked=True).order_by("pk")
            for row in stale[:SWEEP_BATCH]:
                if row.attempts >= self.max_attempts:
                    give_up(row)
                    continue
                row.status, row.queued_at = self.queued, now
                row.save(update_fields=["status", "queued_at", "updated_at"])
                requeued.append(row.pk)
        return requeued
