"""Retention: documents of cases closed more than RETENTION_YEARS years ago are deleted, files
and rows, by the daily task or `manage.py retention`; `--dry-run` lists them."""

import io
import os
from datetime import date, timedelta
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from django.utils import timezone

from assistance.models import Case, CaseDocument, CaseEvent, Service, Status
from assistance.retention import apply_retention, cutoff, delete_expired
from core import schedule
from core.files import private_storage
from karawang_umkm.settings import env_int

from .base import PersonaTestCase
from .test_businesses import make_business

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def years_ago(years: int) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@override_settings(RETENTION_YEARS=5)
class RetentionTests(PersonaTestCase):
    def setUp(self) -> None:
        business = make_business(self.duren)
        other = make_business(self.duren, name="Opak Mang Ujang")
        long_ago = years_ago(6)
        self.old_done = self.case(business, "halal", Status.DONE, long_ago)
        self.old_cancelled = self.case(business, "nib", Status.CANCELLED, long_ago)
        self.old_rejected = self.case(other, "halal", Status.REJECTED, years_ago(7))
        self.recent = self.case(business, "pirt", Status.DONE, years_ago(1))
        self.on_the_day = self.case(business, "pemasaran", Status.DONE, years_ago(5))
        self.open = self.case(business, "kemasan", Status.IN_PROGRESS, None)
        self.open.opened_on = years_ago(9)
        self.open.save()
        self.expired = [
            self.document(self.old_done, "KTP Iis Suryani.pdf"),
            self.document(self.old_done, "label.pdf"),
            self.document(self.old_cancelled, "formulir.pdf"),
            self.document(self.old_rejected, "surat.pdf"),
        ]
        self.kept = [
            self.document(self.recent, "pirt.pdf"),
            self.document(self.on_the_day, "brosur.pdf"),
            self.document(self.open, "kemasan.pdf"),
        ]

    def case(self, business, code: str, status: str, closed_on: date | None) -> Case:
        service = Service.objects.get(code=code)
        return Case.objects.create(
            business=business,
            service=service,
            status=status,
            closed_on=closed_on,
            last_activity_at=timezone.now() - timedelta(days=3000),
        )

    def document(self, case: Case, filename: str) -> CaseDocument:
        document = CaseDocument(
            case=case, filename=filename, content_type="application/pdf", size=len(PDF)
        )
        document.file.save("x.pdf", ContentFile(PDF))
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.DOCUMENT, document=document, text=str(document)
        )
        return document

    def delete(self) -> dict[str, int]:
        with self.captureOnCommitCallbacks(execute=True):
            return delete_expired()

    def assert_on_disk(self, documents: list[CaseDocument], on_disk: bool) -> None:
        for document in documents:
            with self.subTest(document.filename):
                self.assertEqual(private_storage.exists(document.file.name), on_disk)

    def test_only_documents_of_cases_closed_more_than_n_years_ago_are_deleted(self):
        counts = self.delete()
        self.assertEqual(counts, {"documents": 4, "cases": 3, "bytes": 4 * len(PDF)})
        remaining = set(CaseDocument.objects.values_list("pk", flat=True))
        self.assertEqual(remaining, {document.pk for document in self.kept})
        self.assert_on_disk(self.expired, False)
        self.assert_on_disk(self.kept, True)

    def test_the_case_stays_with_a_timeline_entry_and_its_place_in_the_lists(self):
        before = Case.objects.get(pk=self.old_done.pk).last_activity_at
        self.delete()
        case = Case.objects.get(pk=self.old_done.pk)
        self.assertEqual(case.last_activity_at, before)
        note = case.events.get(kind=CaseEvent.Kind.SYSTEM)
        self.assertIn("masa retensi (5 tahun)", note.text)
        self.assertIn("KTP Iis Suryani.pdf, label.pdf", note.text)
        self.assertIsNone(note.by)
        self.client.force_login(self.staff)
        page = self.client.get(case.get_absolute_url())
        self.assertContains(page, '<span class="who">Sistem</span>', count=1)
        self.assertContains(page, "Pemeliharaan otomatis", count=1)
        uploads = case.events.filter(kind=CaseEvent.Kind.DOCUMENT)
        self.assertEqual(
            sorted(uploads.values_list("text", flat=True)), ["KTP Iis Suryani.pdf", "label.pdf"]
        )
        self.assertFalse(uploads.filter(document__isnull=False).exists())
        self.assertFalse(self.recent.events.filter(kind=CaseEvent.Kind.SYSTEM).exists())

    def test_a_second_run_deletes_nothing_more(self):
        self.delete()
        self.assertEqual(self.delete(), {"documents": 0, "cases": 0, "bytes": 0})

    def test_dry_run_lists_what_would_go_and_deletes_nothing(self):
        out = io.StringIO()
        call_command("retention", dry_run=True, stdout=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0].split("\t")[:3], ["kasus", "dokumen", "berkas"])
        for document in self.expired:
            row = [document.case_id, document.pk, document.file.name, document.case.closed_on]
            self.assertIn("\t".join(map(str, [*row, len(PDF)])), lines)
        self.assertEqual(len(lines), 1 + len(self.expired) + 1)
        self.assertIn("4 dokumen dari 3 kasus", lines[-1])
        self.assertNotIn("KTP", out.getvalue())  # the uploaded name may hold personal data
        self.assertEqual(CaseDocument.objects.count(), 7)
        self.assert_on_disk(self.expired, True)

    def test_the_command_deletes_and_prints_counts(self):
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("retention", stdout=out)
        self.assertIn("4 dokumen dari 3 kasus dihapus", out.getvalue())
        self.assertEqual(CaseDocument.objects.count(), 3)
        self.assert_on_disk(self.expired, False)

    @override_settings(RETENTION_YEARS=0)
    def test_zero_years_deletes_nothing(self):
        out = io.StringIO()
        call_command("retention", dry_run=True, stdout=out)
        with self.captureOnCommitCallbacks(execute=True):
            call_command("retention", stdout=out)
            self.assertEqual(apply_retention.call(), {"documents": 0, "cases": 0, "bytes": 0})
        self.assertIn("RETENTION_YEARS=0", out.getvalue())
        self.assertEqual(CaseDocument.objects.count(), 7)
        self.assert_on_disk(self.expired, True)

    @override_settings(RETENTION_YEARS=10)
    def test_a_longer_retention_keeps_them(self):
        self.assertEqual(self.delete()["documents"], 0)

    def test_the_daily_task_is_scheduled_and_run_by_the_worker(self):
        entry = next(e for e in schedule.registered() if e.name == "assistance.retention")
        self.assertEqual((entry.period, entry.task), (timedelta(days=1), apply_retention))
        with (
            mock.patch.dict(schedule._registry, {entry.name: entry}, clear=True),
            mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            call_command(
                "worker", batch=True, no_startup_delay=True, reload=False, stdout=io.StringIO()
            )
        self.assertEqual(CaseDocument.objects.count(), 3)
        self.assert_on_disk(self.expired, False)


class RetentionInputTests(SimpleTestCase):
    def test_the_cutoff_is_n_years_back_and_29_february_has_a_day_before_it(self):
        self.assertEqual(cutoff(5, date(2026, 7, 1)), date(2021, 7, 1))
        self.assertEqual(cutoff(5, date(2028, 2, 29)), date(2023, 2, 28))
        self.assertIsNone(cutoff(0, date(2026, 7, 1)))

    def test_bad_retention_years_stop_the_application(self):
        for value in ("-1", "lima", "2.5", ""):
            with (
                self.subTest(value),
                mock.patch.dict(os.environ, {"RETENTION_YEARS": value}),
                self.assertRaises(ImproperlyConfigured),
            ):
                env_int("RETENTION_YEARS", 5, minimum=0)
        with mock.patch.dict(os.environ, {"RETENTION_YEARS": "0"}):
            self.assertEqual(env_int("RETENTION_YEARS", 5, minimum=0), 0)
