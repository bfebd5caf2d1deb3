"""PDF reports: made in the background, the dashboard's figures, kept in an archive."""

import io
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assistance.models import Case, Service, Status
from reports.models import Report, Signer, validate_nip

from .base import PersonaTestCase
from .test_reports import make_cases

YEAR = 2026
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PRIVATE = Path(tempfile.gettempdir()) / "karawang-report-tests"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@override_settings(TASKS=IMMEDIATE, PRIVATE_MEDIA_ROOT=PRIVATE)
class ReportPdfTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        old = timezone.now() - timedelta(days=30)
        spec = [
            (cls.duren, "nib", Status.DONE, date(YEAR, 2, 1), date(YEAR, 3, 1)),
            (cls.duren, "pirt", Status.SUBMITTED, date(YEAR - 1, 11, 1), None),
            (cls.pancawati, "nib", Status.DONE, date(YEAR, 8, 1), date(YEAR, 9, 15)),
            (cls.pancawati, "nib", Status.IN_PROGRESS, date(YEAR, 9, 1), None),
            (cls.payungsari, "nib", Status.DONE, date(YEAR, 6, 1), date(YEAR, 7, 1)),
            (cls.payungsari, "pirt", Status.OPEN, date(YEAR, 10, 1), None),
        ]
        make_cases(spec, last_activity_at=old)
        Signer.objects.create(position="Kepala Dinas", name="Ibu Kepala", nip="197001011995032001")

    def request_report(self, user, **area) -> Report:
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("reports:report_create"), {"periode": str(YEAR)} | area
            )
        report = Report.objects.latest("requested_at")
        self.assertRedirects(response, report.get_absolute_url(), fetch_redirect_response=False)
        report.refresh_from_db()
        return report

    def download(self, report: Report) -> bytes:
        response = self.client.get(reverse("reports:report_download", args=[report.pk]))
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content)

    def service_line(self, cases, code: str) -> str:
        """'NIB (OSS RBA) opened active submitted done closed stalled', counted here."""
        mine = cases.filter(service__code=code)
        start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
        numbers = [
            mine.filter(opened_on__range=(start, end)).count(),
            mine.filter(status__in=["open", "in_progress"]).count(),
            mine.filter(status="submitted").count(),
            mine.filter(status="done", closed_on__range=(start, end)).count(),
            mine.filter(
                status__in=["rejected", "cancelled"], closed_on__range=(start, end)
            ).count(),
            mine.filter(status__in=["open", "in_progress", "submitted"]).count(),
        ]
        name = Service.objects.get(code=code).name
        return " ".join([name, *map(str, numbers)])

    def test_the_regency_report_has_the_figures_counted_independently(self):
        report = self.request_report(self.staff)
        self.assertEqual(report.state, Report.State.DONE, report.error)
        data = self.download(report)
        self.assertEqual(len(data), report.size)
        self.assertEqual(len(PdfReader(io.BytesIO(data)).pages), report.pages)
        text = pdf_text(data)
        for code in ("nib", "pirt"):
            self.assertIn(self.service_line(Case.objects.all(), code), text)
        done = Case.objects.filter(status="done", closed_on__year=YEAR).count()
        self.assertIn(f"Kasus pendampingan selesai {done}", text)
        self.assertIn("Halaman 1 dari", text)
        self.assertIn("NIP 19700101 199503 2 001", text)
        self.assertRegex(text, r"Karawang, \d{1,2} \w+ \d{4}")
        # No personal data, no business names.
        self.assertNotIn("Usaha Rahasia", text)
        self.assertNotIn("0812", text)

    def test_a_camats_kecamatan_report_holds_only_that_kecamatan(self):
        report = self.request_report(self.camat, kecamatan=self.klari.code)
        self.assertEqual(report.state, Report.State.DONE, report.error)
        text = pdf_text(self.download(report))
        klari = Case.objects.filter(business__village__district=self.klari)
        self.assertIn(self.service_line(klari, "nib"), text)
        self.assertIn("Duren", text)
        self.assertNotIn("Payungsari", text)
        self.assertNotIn("Pedes", text)

    def test_an_empty_period_gives_a_report_that_says_so(self):
        self.client.force_login(self.staff)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("reports:report_create"), {"periode": "2031"})
        report = Report.objects.get()
        self.assertEqual(report.state, Report.State.DONE)
        self.assertIn("Belum ada data pendampingan", pdf_text(self.download(report)))

    def test_a_second_identical_request_joins_the_one_running(self):
        queued = Report.objects.create(period=str(YEAR), requested_by=self.leader)
        self.client.force_login(self.staff)
        response = self.client.post(reverse("reports:report_create"), {"periode": str(YEAR)})
        self.assertRedirects(response, queued.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Report.objects.count(), 1)
        page = self.client.get(queued.get_absolute_url(), headers={"HX-Request": "true"})
        self.assertContains(page, 'hx-trigger="every 2s"')

    def test_a_stuck_report_is_not_joined_and_says_so(self):
        stuck = Report.objects.create(period=str(YEAR), requested_by=self.leader)
        Report.objects.filter(pk=stuck.pk).update(
            requested_at=timezone.now() - timedelta(minutes=31)
        )
        fresh = self.request_report(self.staff)
        self.assertNotEqual(fresh.pk, stuck.pk)
        self.assertEqual(fresh.state, Report.State.DONE, fresh.error)
        self.assertContains(self.client.get(stuck.get_absolute_url()), "tidak kunjung selesai")

    def test_a_failed_job_shows_its_error_to_the_requester_only(self):
        with mock.patch("reports.pdf.render_pdf", side_effect=RuntimeError("font hilang")):
            report = self.request_report(self.staff)
        self.assertEqual(report.state, Report.State.FAILED)
        self.assertContains(self.client.get(report.get_absolute_url()), "font hilang")
        self.client.force_login(self.leader)
        page = self.client.get(report.get_absolute_url())
        self.assertContains(page, "gagal dibuat")
        self.assertNotContains(page, "font hilang")

    def test_a_mentor_may_ask_only_for_an_own_village(self):
        self.client.force_login(self.mentor.user)
        response = self.client.post(reverse("reports:report_create"), {"periode": str(YEAR)})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Report.objects.exists())
        report = self.request_report(self.mentor.user, desa=self.duren.code)
        self.assertEqual(report.state, Report.State.DONE, report.error)

    def test_reports_are_served_only_to_those_who_see_their_area(self):
        regency = Report.objects.create(period="2026", requested_by=self.staff, state="done")
        klari = Report.objects.create(
            period="2026", district=self.klari, requested_by=self.camat, state="done"
        )
        duren = Report.objects.create(
            period="2026", district=self.klari, village=self.duren, requested_by=self.staff
        )
        seen = {
            self.staff: {regency, klari, duren},
            self.leader: {regency, klari, duren},
            self.camat: {klari, duren},
            self.mentor.user: {duren},
            self.other_mentor.user: set(),
        }
        for user, expected in seen.items():
            with self.subTest(user.username):
                self.assertEqual(set(Report.objects.visible_to(user)), expected)
                self.client.force_login(user)
                for report in {regency, klari, duren} - expected:
                    url = reverse("reports:report_download", args=[report.pk])
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.client.get(report.get_absolute_url()).status_code, 404)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(reverse("reports:archive")).status_code, 404)

    def test_the_archive_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        counts = []
        for n in (1, 10):
            for _ in range(n):
                Report.objects.create(period="2026", district=self.klari, requested_by=self.camat)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(reverse("reports:archive")).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])

    def test_the_dashboard_downloads_its_tables_as_one_spreadsheet(self):
        import openpyxl

        self.client.force_login(self.staff)
        response = self.client.get(
            reverse("reports:dashboard"), {"periode": "2026", "ekspor": "xlsx"}
        )
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertIn("Layanan", book.sheetnames)
        rows = {row[0]: row for row in book["Layanan"].iter_rows(values_only=True)}
        nib = Service.objects.get(code="nib").name
        done = Case.objects.filter(service__code="nib", status="done", closed_on__year=YEAR).count()
        self.assertEqual(rows[nib][4], done)
        self.assertIsInstance(rows[nib][1], int)


class ReportCommandTests(PersonaTestCase):
    def test_the_command_writes_a_pdf_and_refuses_bad_input(self):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "laporan.pdf"
            out = io.StringIO()
            call_command(
                "report", period="2026-Q3", kecamatan="32.15.05", output=str(output), stdout=out
            )
            self.assertIn("halaman", out.getvalue())
            self.assertIn("Kecamatan Klari", pdf_text(output.read_bytes()))
            with self.assertRaisesMessage(CommandError, "Triwulan 5 tidak ada"):
                call_command("report", period="2026-Q5", output=str(output))
            with self.assertRaisesMessage(CommandError, "32.15.99"):
                call_command("report", period="2026", kecamatan="32.15.99", output=str(output))


class NipTests(PersonaTestCase):
    def test_nip_must_be_18_digits_with_a_birth_date_and_gender(self):
        validate_nip("19700101 199503 1 001")
        for bad in ("1970010119950310", "19701301199503 1 001", "197001011995033001", "abc"):
            with self.subTest(bad), self.assertRaises(ValidationError):
                validate_nip(bad)


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class WorkerTests(PersonaTestCase):
    def test_the_request_queues_a_task_that_the_database_worker_runs(self):
        from django_tasks_db.models import DBTaskResult

        self.client.force_login(self.staff)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("reports:report_create"), {"periode": "2026"})
        report = Report.objects.get()
        self.assertEqual(report.state, Report.State.QUEUED)
        self.assertEqual(DBTaskResult.objects.count(), 1)
        # The worker closes stale connections between tasks; inside a test transaction the
        # connection must stay open.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.DONE, report.error)
        self.assertEqual(len(report.sha256), 64)
