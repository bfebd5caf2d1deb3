"""Periodic tasks: an app registers a task here (in its AppConfig.ready) with `every(...)`, and
`manage.py worker` enqueues the due ones on each heartbeat; the worker pool then runs them as any
other task.

Several worker processes may beat at the same moment. They agree through one `ScheduledRun` row
per name: only the worker whose conditional UPDATE moves the row's `next_run_at` forward
enqueues the task (the others' UPDATE matches no row once the first has committed, on SQLite and
on PostgreSQL alike). The due time lives in the database, so a restart neither repeats a run nor
skips one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import Task
from django.utils import timezone

from .models import ScheduledRun


@dataclass(frozen=True)
class Periodic:
    name: str
    period: timedelta
    task: Task


_registry: dict[str, Periodic] = {}


def every(period: timedelta, task: Task, *, name: str) -> None:
    """Run `task` (without arguments) once every `period`. `name` keys its schedule in the
    database: keep it when the function moves or is renamed."""
    if period <= timedelta(0):
        raise ValueError(f"The period of {name!r} must be positive, got {period}.")
    _registry[name] = Periodic(name, period, task)


def registered() -> list[Periodic]:
    return list(_registry.values())


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue each registered task that is due (a new one is due at once); the names enqueued."""
    now = now or timezone.now()
    entries = registered()
    ScheduledRun.objects.bulk_create(
        [ScheduledRun(name=entry.name, next_run_at=now) for entry in entries],
        ignore_conflicts=True,
    )
    return [entry.name for entry in entries if _claim_and_enqueue(entry, now)]


def _claim_and_enqueue(entry: Periodic, now: datetime) -> bool:
    # The claim and the queued task commit together: a failed enqueue leaves the run due.
    with transaction.atomic():
        claimed = ScheduledRun.objects.filter(name=entry.name, next_run_at__lte=now).update(
            next_run_at=now + entry.period, last_run_at=now
        )
        if claimed:
            entry.task.enqueue()
    return bool(claimed)
