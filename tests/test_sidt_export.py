"""SIDT export: the 49 columns in order, the user's area only, numbers as numbers, formulas
neutralised, whole NIKs only with their permission (and recorded), the round trip, access."""

import io

import openpyxl
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from businesses.models import Business, NikAccess
from businesses.sidt import COLUMN_NAMES
from core.models import ImportJob
from core.sheet_imports import run_import, validate

from .base import PersonaTestCase, make_user
from .test_businesses import NIK_WOMAN, make_business
from .test_sidt_import import extract, sidt_row


def csv_rows(response) -> list[list[str]]:
    import csv

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class SidtExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_business(
            cls.duren, name="=HYPERLINK(1)", annual_turnover=60_000_000, sidt_id="SIDT-7"
        )
        cls.elsewhere = make_business(cls.payungsari, name="Warung Pedes")
        cls.admin = make_user("admin-sidt", "Administrator")

    def url(self, kind="csv") -> str:
        return reverse("businesses:sidt_export", args=[kind])

    def test_csv_has_the_49_columns_in_order_and_neutralised_text(self):
        self.client.force_login(self.staff)
        rows = csv_rows(self.client.get(self.url()))
        self.assertEqual(rows[0], list(COLUMN_NAMES))
        first = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(first["nama_usaha"], "'=HYPERLINK(1)")
        self.assertEqual(first["kel_usaha"], "Duren")
        self.assertEqual(first["kab_usaha"], "KABUPATEN KARAWANG")

    def test_xlsx_keeps_numbers_as_numbers(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url("xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        self.assertEqual(header, list(COLUMN_NAMES))
        row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
        self.assertEqual(row["omzet_tahunan"], 60_000_000)
        self.assertEqual(row["nama_usaha"], "'=HYPERLINK(1)")

    def test_nik_masked_without_the_permission_and_nothing_recorded(self):
        self.client.force_login(self.staff)  # may view NIKs, may not export them whole
        rows = csv_rows(self.client.get(self.url()))
        self.assertNotIn(NIK_WOMAN, {cell for row in rows for cell in row})
        self.assertFalse(NikAccess.objects.exists())

    def test_whole_nik_with_the_permission_and_each_export_recorded(self):
        self.client.force_login(self.admin)
        rows = csv_rows(self.client.get(self.url()))
        self.assertEqual(rows[1][1], NIK_WOMAN)
        access = NikAccess.objects.filter(user=self.admin, where=NikAccess.Where.EXPORT)
        self.assertEqual(access.count(), 2)
        self.client.get(self.url("xlsx"))
        self.assertEqual(access.count(), 4)

    def test_mentor_with_the_permission_exports_only_their_villages(self):
        perm = Permission.objects.get(codename="exchange_sidt")
        self.mentor.user.user_permissions.add(perm)
        self.client.force_login(self.mentor.user)
        rows = csv_rows(self.client.get(self.url()))
        self.assertEqual(
            [r[COLUMN_NAMES.index("nama_usaha")] for r in rows[1:]], ["'=HYPERLINK(1)"]
        )

    def test_access(self):
        for user, status in ((self.camat, 403), (self.mentor.user, 403), (self.outsider, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, status, user)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.url("pdf")).status_code, 404)
        self.client.logout()
        url = self.url()
        self.assertRedirects(
            self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False
        )


class SidtRoundTripTests(PersonaTestCase):
    def run_job(self, content: bytes, name: str) -> ImportJob:
        job = ImportJob(kind="sidt", filename=name, uploaded_by=self.staff)
        job.file.save(name, ContentFile(content), save=False)
        job.save()
        job = validate(job)
        self.assertEqual(job.errors, [])
        return run_import(job)

    def test_export_then_import_changes_nothing(self):
        self.run_job(
            extract(
                sidt_row(),
                sidt_row(
                    **{"id_data_badan_usaha": "SIDT-2"},
                    nama_usaha="Warung Pedes",
                    kec_usaha="Pedes",
                    kel_usaha="Payungsari",
                    kab_usaha="KARAWANG",
                    alamat_latitude="-6.2",
                    alamat_longitude="107.3",
                    is_disabilitas="ya",
                ),
            ),
            "ekstrak.csv",
        )
        before = Business.history.count()
        self.client.force_login(self.staff)  # the NIK comes out masked: the stored one stays
        for kind in ("csv", "xlsx"):
            response = self.client.get(reverse("businesses:sidt_export", args=[kind]))
            content = b"".join(response.streaming_content) if kind == "csv" else response.content
            job = self.run_job(content, f"ekspor.{kind}")
            self.assertEqual(job.state, ImportJob.State.DONE)
            self.assertEqual(
                (job.counts["new"], job.counts["update"], job.counts["skip"]), (0, 0, 2), kind
            )
        self.assertEqual(Business.history.count(), before)
