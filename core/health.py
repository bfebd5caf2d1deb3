"""Health: the worker's heartbeat and `/healthz`, which a load balancer or monitor polls.

`/healthz` answers 200 "ok" when the database answers and some worker has beaten within
HEALTH_WORKER_MAX_AGE seconds (0 turns the worker check off), else 503 with one short line per
failure. It needs no login and says nothing beyond that: no versions, no exception text.
"""

import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import WorkerBeat

# Rows of workers gone this long are dropped (a new pid writes a new row on every restart).
FORGET_WORKERS_AFTER = timedelta(days=7)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:150]


def record_beat(worker: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerBeat.objects.update_or_create(worker=worker, defaults={"last_seen": now})
    WorkerBeat.objects.filter(last_seen__lt=now - FORGET_WORKERS_AFTER).delete()


def failures(now: datetime | None = None) -> list[str]:
    """One short line per failed check; empty when healthy."""
    max_age = settings.HEALTH_WORKER_MAX_AGE
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        latest = _latest_beat() if max_age else None
    except DatabaseError:
        return ["database: unavailable"]
    now = now or timezone.now()
    if max_age and (latest is None or now - latest > timedelta(seconds=max_age)):
        return [_no_heartbeat(latest, now)]
    return []


def _latest_beat() -> datetime | None:
    return WorkerBeat.objects.aggregate(latest=Max("last_seen"))["latest"]


def _no_heartbeat(latest: datetime | None, now: datetime) -> str:
    if latest is None:
        return "worker: no heartbeat"
    seconds = int((now - latest).total_seconds())
    age = f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"
    return f"worker: no heartbeat for {age}"


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    # Plain fixed English lines, not translated: monitors match on them.
    problems = failures()
    return HttpResponse(
        "\n".join(problems) or "ok",
        status=503 if problems else 200,
        content_type="text/plain; charset=utf-8",
    )
