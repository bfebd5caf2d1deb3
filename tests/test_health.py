"""/healthz, the worker's heartbeat (`manage.py worker`) and the scheduler of periodic tasks."""

import io
import os
import threading
from argparse import ArgumentTypeError
from datetime import timedelta
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connections
from django.tasks import task
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import health, schedule
from core.management.commands import worker as worker_command
from core.models import ScheduledRun, WorkerBeat
from karawang_umkm.settings import env_int

from .base import make_user


@task
def tick() -> str:
    return "tick"


TICK_PATH = f"{__name__}.tick"


def beat(ago: timedelta, worker: str = "host:1") -> None:
    WorkerBeat.objects.create(worker=worker, last_seen=timezone.now() - ago)


@override_settings(HEALTH_WORKER_MAX_AGE=300)
class HealthzTests(TestCase):
    url = reverse("healthz")

    def test_ok_with_a_fresh_beat_and_no_login(self):
        beat(timedelta(seconds=20))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("Set-Cookie", response.headers)

    def test_a_signed_in_user_gets_the_same_answer(self):
        beat(timedelta(seconds=20))
        self.client.force_login(make_user("someone"))
        self.assertEqual(self.client.get(self.url).content, b"ok")

    def test_503_without_any_beat(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"worker: no heartbeat")

    def test_503_when_the_worker_stopped_beating_with_only_its_age(self):
        beat(timedelta(minutes=7, seconds=10))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"worker: no heartbeat for 7 min")
        self.assertNotIn(b"host", response.content)

    def test_the_newest_beat_of_a_pool_counts(self):
        beat(timedelta(hours=3), "host:1")
        beat(timedelta(seconds=40), "host:2")
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_503_without_the_error_text_when_the_database_fails(self):
        beat(timedelta(seconds=20))
        failing = OperationalError('connection to server at "10.0.0.5" failed: password')
        with mock.patch.object(type(connections["default"]), "cursor", side_effect=failing):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"database: unavailable")

    @override_settings(HEALTH_WORKER_MAX_AGE=0)
    def test_the_worker_check_can_be_turned_off(self):
        self.assertEqual(self.client.get(self.url).content, b"ok")

    def test_only_get_and_head(self):
        beat(timedelta(seconds=20))
        self.assertEqual(self.client.head(self.url).status_code, 200)
        for method in (self.client.post, self.client.put, self.client.delete):
            with self.subTest(method.__name__):
                self.assertEqual(method(self.url).status_code, 405)

    def test_query_strings_change_nothing(self):
        beat(timedelta(seconds=20))
        for query in ("?verbose=1", "?x=" + "9" * 5000, "?format=json"):
            with self.subTest(query[:20]):
                self.assertEqual(self.client.get(self.url + query).content, b"ok")

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_a_plain_http_probe_is_not_redirected_to_https(self):
        beat(timedelta(seconds=20))
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.get(reverse("login")).status_code, 301)

    def test_bad_setting_values_stop_the_application(self):
        for value in ("-1", "lima", "2.5", ""):
            with (
                self.subTest(value),
                mock.patch.dict(os.environ, {"HEALTH_WORKER_MAX_AGE": value}),
                self.assertRaises(ImproperlyConfigured),
            ):
                env_int("HEALTH_WORKER_MAX_AGE", 300, minimum=0)


class SchedulerTests(TestCase):
    def setUp(self) -> None:
        registry = mock.patch.dict(schedule._registry, clear=True)
        registry.start()
        self.addCleanup(registry.stop)
        schedule.every(timedelta(days=1), tick, name="test.tick")
        self.now = timezone.now()

    def queued(self) -> int:
        return DBTaskResult.objects.filter(task_path=TICK_PATH).count()

    def test_a_due_task_is_enqueued_once_when_two_workers_beat(self):
        self.assertEqual(schedule.enqueue_due(self.now), ["test.tick"])
        self.assertEqual(schedule.enqueue_due(self.now + timedelta(seconds=1)), [])
        self.assertEqual(self.queued(), 1)

    def test_again_after_its_period_not_before(self):
        schedule.enqueue_due(self.now)
        self.assertEqual(schedule.enqueue_due(self.now + timedelta(hours=23)), [])
        self.assertEqual(schedule.enqueue_due(self.now + timedelta(days=1)), ["test.tick"])
        self.assertEqual(self.queued(), 2)

    def test_a_restarted_worker_does_not_run_it_again(self):
        schedule.enqueue_due(self.now)
        schedule._registry.clear()  # a new process registers its tasks anew
        schedule.every(timedelta(days=1), tick, name="test.tick")
        self.assertEqual(schedule.enqueue_due(self.now + timedelta(minutes=5)), [])
        self.assertEqual(self.queued(), 1)

    def test_a_failed_enqueue_leaves_the_run_due(self):
        with (
            mock.patch.object(type(tick), "enqueue", side_effect=DatabaseError("queue")),
            self.assertRaises(DatabaseError),
        ):
            schedule.enqueue_due(self.now)
        self.assertLessEqual(ScheduledRun.objects.get(name="test.tick").next_run_at, self.now)
        self.assertEqual(schedule.enqueue_due(self.now), ["test.tick"])

    def test_a_period_must_be_positive(self):
        for period in (timedelta(0), timedelta(seconds=-5)):
            with self.subTest(period), self.assertRaises(ValueError):
                schedule.every(period, tick, name="bad")


class WorkerCommandTests(TestCase):
    def setUp(self) -> None:
        registry = mock.patch.dict(schedule._registry, clear=True)
        registry.start()
        self.addCleanup(registry.stop)
        schedule.every(timedelta(hours=1), tick, name="test.tick")

    def test_the_worker_beats_on_start_and_runs_the_due_periodic_task(self):
        # The worker closes stale connections between tasks; inside a test transaction the
        # connection must stay open.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(
                "worker", batch=True, no_startup_delay=True, reload=False, stdout=io.StringIO()
            )
        self.assertEqual(WorkerBeat.objects.get().worker, health.worker_name())
        result = DBTaskResult.objects.get(task_path=TICK_PATH)
        self.assertEqual((result.status, result.return_value), ("SUCCESSFUL", "tick"))
        self.assertEqual(self.client.get(reverse("healthz")).status_code, 200)

    def test_the_heartbeat_thread_survives_a_failed_beat(self):
        stop = mock.Mock(spec=threading.Event)
        stop.wait.side_effect = [False, False, True]
        with (
            mock.patch.object(worker_command, "close_old_connections"),
            mock.patch.object(worker_command, "connections"),
            mock.patch.object(worker_command, "beat", side_effect=[DatabaseError("down"), None]),
            self.assertLogs("core.worker", "WARNING") as logs,
        ):
            worker_command.beat_until(stop, "host:1", 30)
            self.assertEqual(worker_command.beat.call_count, 2)
        self.assertIn("database unavailable", logs.output[0])
        stop.wait.assert_called_with(30)

    def test_the_heartbeat_must_be_positive(self):
        for value in ("0", "-1", "inf", "abc"):
            with self.subTest(value), self.assertRaises((ArgumentTypeError, ValueError)):
                worker_command.positive_seconds(value)
