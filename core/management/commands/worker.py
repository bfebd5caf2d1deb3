"""`manage.py worker`: django-tasks-db's `db_worker` (same options) that also beats.

On start and then every `--heartbeat` seconds the process records that it is alive
(`core.WorkerBeat`, read by /healthz) and enqueues the periodic tasks that are due
(`core.schedule`). The beat runs in a thread beside the worker's loop, which offers no hook of its
own: a long task (a PDF, an import) neither delays the beat nor is interrupted by it. Run this
instead of `db_worker`, as one or several processes against the same database.
"""

import logging
import os
import threading
from argparse import ArgumentParser, ArgumentTypeError

from django.db import DatabaseError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from core import health, schedule

logger = logging.getLogger("core.worker")


def positive_seconds(value: str) -> float:
    seconds = db_worker.valid_interval(value)
    if seconds <= 0:
        raise ArgumentTypeError("Must be greater than zero")
    return seconds


def beat(worker: str) -> None:
    """Record that `worker` is alive and enqueue the periodic tasks that are due."""
    health.record_beat(worker)
    for name in schedule.enqueue_due():
        logger.info("Enqueued periodic task %s", name)


def beat_until(stop: threading.Event, worker: str, seconds: float) -> None:
    """The heartbeat thread: a failed beat (database down) is logged and tried again later."""
    try:
        while not stop.wait(seconds):
            close_old_connections()
            try:
                beat(worker)
            except DatabaseError:
                logger.warning("Worker heartbeat failed: database unavailable")
            except Exception:
                logger.exception("Worker heartbeat failed")
    finally:
        connections.close_all()  # this thread's own connection


class Command(db_worker.Command):
    help = "Menjalankan worker tugas latar (db_worker) dengan detak dan tugas berkala."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=positive_seconds,
            default=30,
            help="Seconds between heartbeats and checks for due periodic tasks (default: 30)",
        )

    def handle(self, *args, heartbeat: float, **options) -> None:
        reloading = options["reload"] and not options["batch"]
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files; its child runs the worker and beats.
            return super().handle(*args, **options)
        worker = health.worker_name()
        beat(worker)  # at once, so /healthz sees a restarted worker without waiting
        stop = threading.Event()
        thread = threading.Thread(
            target=beat_until, args=(stop, worker, heartbeat), name="heartbeat", daemon=True
        )
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
