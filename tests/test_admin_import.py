"""Spreadsheet imports in the admin refuse what a spreadsheet did to identifiers (number cells,
scientific notation, letters), a header that is not the resource's, and a sheet that would write
nothing; whatever is refused, nothing is written."""

import io
import re
from datetime import datetime

import openpyxl
from django.contrib.admin import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from businesses.models import Business
from businesses.resources import BusinessResource
from cooperatives.models import Cooperative
from villages.models import District, Village

from .base import PersonaTestCase, make_user
from .test_admin_nik import admin_user
from .test_businesses import NIK_MAN, NIK_WOMAN, make_business

HEADER = ["name", "owner_name", "owner_nik", "owner_gender", "phone", "village_code", "sector"]


def xlsx(*rows) -> bytes:
    """An XLSX file as Excel writes it: numbers become number cells, strings text cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_row(i: int = 1, **changes) -> list:
    values = {
        "name": f"Keripik {i}",
        "owner_name": f"Pemilik {i}",
        "owner_nik": NIK_MAN,
        "owner_gender": "L",
        "phone": "0812-3456-7890",
        "village_code": "32.15.05.2001",
        "sector": "makanan",
    }
    values |= changes
    return [values[column] for column in HEADER]


def sheet_of(*rows, header=HEADER) -> bytes:
    return xlsx(header, *rows)


def xlsx_index(model) -> str:
    formats = site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f is XLSX))


class AdminImportTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def upload(self, model, content: bytes):
        """The first step of the admin import: upload, dry run, preview or errors."""
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
        return self.client.post(
            url,
            {
                "format": xlsx_index(model),
                "import_file": SimpleUploadedFile("data.xlsx", content),
            },
        )

    def confirm(self, model, response):
        """The second step: the confirm form posted back as the admin page would."""
        opts = model._meta
        form = response.context["confirm_form"]
        data = {name: form[name].value() for name in form.fields if form[name].value()}
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_process_import")
        return self.client.post(url, data, follow=True)

    def assert_refused(self, response, *phrases: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context.get("confirm_form"), "a refused sheet has no confirm")
        result = response.context["result"]
        self.assertTrue(result.has_errors() or result.has_validation_errors())
        text = re.sub(r"\s+", " ", response.content.decode())
        for phrase in phrases:
            self.assertIn(phrase, text)

    def import_for_real(self, resource, content: bytes, **kwargs):
        """The resource on its own with dry_run off: what a command (or a confirm) would write."""
        dataset = XLSX().create_dataset(content)
        return resource.import_data(dataset, dry_run=False, raise_errors=False, **kwargs)


class BusinessImportTests(AdminImportTestCase):
    def test_a_valid_sheet_still_imports_through_both_steps(self):
        content = sheet_of(good_row(1), good_row(2, owner_nik=NIK_WOMAN, owner_gender="P"))
        response = self.upload(Business, content)
        self.assertIsNotNone(response.context["confirm_form"], response.content.decode()[-3000:])
        self.assertFalse(Business.objects.exists())  # the preview writes nothing
        response = self.confirm(Business, response)
        self.assertContains(response, "Impor selesai: 2 baru")
        stored = {b.name: b for b in Business.objects.all()}
        self.assertEqual(stored["Keripik 1"].owner_nik, NIK_MAN)
        self.assertEqual(stored["Keripik 2"].owner_nik, NIK_WOMAN)
        self.assertEqual(stored["Keripik 1"].phone, "+6281234567890")

    def test_a_nik_in_a_number_cell_is_refused_and_nothing_is_written(self):
        # 16 digits in a number cell: Excel keeps 15 significant digits, the 16th is lost.
        rows = [good_row(i) for i in range(1, 40)]
        rows[7] = good_row(8, owner_nik=3215016701716580)
        content = sheet_of(*rows)
        before = Business.objects.count()
        response = self.upload(Business, content)
        self.assert_refused(
            response,
            "Baris 8 (baris 9 di spreadsheet), kolom owner_nik",
            "Format kolom owner_nik sebagai teks",
        )
        result = self.import_for_real(BusinessResource(), content)
        self.assertEqual([row.number for row in result.invalid_rows], [8])
        self.assertEqual(Business.objects.count(), before)

    def test_an_nib_in_a_number_cell_is_refused(self):
        header = [*HEADER, "nib_number"]
        content = sheet_of(
            [*good_row(1), "1234567890123"], [*good_row(2), 1234567890123], header=header
        )
        response = self.upload(Business, content)
        self.assert_refused(response, "Baris 2 (baris 3 di spreadsheet), kolom nib_number")
        self.assertIn("sel berisi angka", response.content.decode())
        self.import_for_real(BusinessResource(), content)
        self.assertFalse(Business.objects.exists())

    def test_an_nib_as_spreadsheet_text_or_with_letters_is_refused(self):
        header = [*HEADER, "nib_number"]
        content = sheet_of(
            [*good_row(1), "1,23457E+12"], [*good_row(2), "12345678901AB"], header=header
        )
        response = self.upload(Business, content)
        self.assert_refused(
            response,
            "Baris 1 (baris 2 di spreadsheet), kolom nib_number",
            "notasi ilmiah",
            "Baris 2 (baris 3 di spreadsheet), kolom nib_number",
            "12345678901AB bukan nomor yang sah",
        )
        result = self.import_for_real(BusinessResource(), content)
        self.assertEqual([row.number for row in result.invalid_rows], [1, 2])
        self.assertFalse(Business.objects.exists())

    def test_a_phone_in_a_number_cell_is_refused(self):
        content = sheet_of(good_row(1, phone=81234567890))
        response = self.upload(Business, content)
        self.assert_refused(
            response, "Baris 1 (baris 2 di spreadsheet), kolom phone", "sel berisi angka"
        )
        self.import_for_real(BusinessResource(), content)
        self.assertFalse(Business.objects.exists())

    def test_pirt_and_kbli_number_cells_are_refused(self):
        header = [*HEADER, "pirt_number", "kbli"]
        content = sheet_of([*good_row(1), 2321505010026, 10792], header=header)
        result = self.import_for_real(BusinessResource(), content)
        self.assertEqual(set(result.invalid_rows[0].field_specific_errors), {"pirt_number", "kbli"})
        self.assertFalse(Business.objects.exists())

    def test_a_pirt_number_excel_turned_into_a_date_is_refused(self):
        header = [*HEADER, "pirt_number"]
        content = sheet_of([*good_row(1), datetime(2026, 1, 2)], header=header)
        response = self.upload(Business, content)
        self.assert_refused(
            response, "Baris 1 (baris 2 di spreadsheet), kolom pirt_number", "menjadi tanggal"
        )

    def test_a_title_line_above_the_header_refuses_the_sheet(self):
        make_business(self.duren)
        before = Business.objects.count()
        content = xlsx(["Daftar UMKM Desa Duren 2026"], HEADER, *[good_row(i) for i in range(15)])
        response = self.upload(Business, content)
        self.assert_refused(response, "bukan baris nama kolom", "Hapus baris judul")
        self.assertNotContains(response, "Traceback")
        self.assertNotContains(response, "ImportRefused")
        self.assertNotContains(response, "Import finished")
        result = self.import_for_real(BusinessResource(), content)
        self.assertTrue(result.has_errors())
        self.assertEqual(result.totals["skip"], 0)
        self.assertEqual(Business.objects.count(), before)

    def test_a_header_matching_nothing_or_an_unknown_column_is_refused(self):
        content = sheet_of(["a", "b", "c"], header=["Nama", "Alamat", "Keterangan"])
        self.assert_refused(self.upload(Business, content), "tidak ada kolom yang dikenal")
        content = sheet_of([*good_row(1), "3215"], header=[*HEADER, "NIK pemilik"])
        self.assert_refused(self.upload(Business, content), "Kolom tidak dikenal: NIK pemilik")
        self.import_for_real(BusinessResource(), content)
        self.assertFalse(Business.objects.exists())

    def test_known_columns_are_matched_whatever_their_case_and_spacing(self):
        header = [f" {column.upper()} " for column in HEADER]
        result = self.import_for_real(BusinessResource(), sheet_of(good_row(1), header=header))
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(Business.objects.get().owner_nik, NIK_MAN)

    def test_a_sheet_that_would_write_nothing_is_a_failure(self):
        business = make_business(self.duren, name="Keripik 1", owner_name="Pemilik 1")
        header = ["id", "name", "owner_name"]
        content = sheet_of([business.pk, "Keripik 1", "Pemilik 1"], header=header)
        response = self.upload(Business, content)
        self.assert_refused(response, "Tidak ada yang diimpor")
        self.assertNotContains(response, "Import finished")

    def test_a_failure_found_only_at_the_confirm_step_is_reported_as_a_failure(self):
        village = Village.objects.create(code="32.15.05.2009", district=self.klari, name="Baru")
        response = self.upload(Business, sheet_of(good_row(1, village_code=village.code)))
        self.assertIsNotNone(response.context["confirm_form"])
        village.delete()  # the sheet's village is gone before the user confirms
        response = self.confirm(Business, response)
        self.assertNotContains(response, "Impor selesai")
        self.assertContains(response, "Impor gagal")
        self.assertFalse(Business.objects.exists())


class ImportPermissionTests(AdminImportTestCase):
    def test_a_user_who_may_only_view_cannot_import(self):
        self.client.force_login(admin_user("viewer", "view_business"))
        self.assertEqual(
            self.client.get(reverse("admin:businesses_business_import")).status_code, 403
        )

    def test_a_user_who_may_not_see_niks_cannot_write_them_by_import(self):
        editor = admin_user("editor", "view_business", "change_business", "add_business")
        self.client.force_login(editor)
        response = self.upload(Business, sheet_of(good_row(1)))
        self.assert_refused(response, "tidak berhak mengisi atau mengubah NIK")
        self.assertFalse(Business.objects.exists())

    def test_the_import_preview_masks_the_stored_nik_for_a_user_who_may_not_see_it(self):
        business = make_business(self.duren, owner_nik=NIK_WOMAN)
        editor = admin_user("editor", "view_business", "change_business", "add_business")
        self.client.force_login(editor)
        content = sheet_of(
            [business.pk, "Nama Baru", "3215••••••••0002"], header=["id", "name", "owner_nik"]
        )
        response = self.upload(Business, content)
        self.assertIsNotNone(response.context["confirm_form"])
        self.assertNotContains(response, NIK_WOMAN)
        self.confirm(Business, response)
        business.refresh_from_db()
        self.assertEqual((business.name, business.owner_nik), ("Nama Baru", NIK_WOMAN))


class OtherImportTests(AdminImportTestCase):
    def test_cooperative_identifiers_in_number_cells_are_refused(self):
        header = ["name", "type", "kecamatan_code", "registry_number", "contact_phone"]
        content = xlsx(
            header,
            ["KSP Baik", "simpan_pinjam", "32.15.05", "3215050101260001", "0812-1111-2222"],
            ["KSP Angka", "simpan_pinjam", "32.15.05", 3215050101260002, 81211112222],
        )
        response = self.upload(Cooperative, content)
        self.assert_refused(
            response,
            "Baris 2 (baris 3 di spreadsheet), kolom registry_number",
            "Baris 2 (baris 3 di spreadsheet), kolom contact_phone",
        )
        self.assertFalse(Cooperative.objects.exists())

    def test_area_codes_in_number_cells_are_refused(self):
        # 32.15.10 cannot be a number, but a kecamatan code typed as 32.10 becomes 32.1.
        content = xlsx(["code", "regency", "name"], ["32.15.11", 32.15, "Baru"])
        response = self.upload(District, content)
        self.assert_refused(response, "kolom regency", "sel berisi angka")
        self.assertFalse(District.objects.filter(code="32.15.11").exists())
        content = xlsx(["code", "regency", "name"], ["32.15.11", "32.15", "Baru"])
        response = self.confirm(District, self.upload(District, content))
        self.assertContains(response, "Impor selesai: 1 baru")
        self.assertTrue(District.objects.filter(code="32.15.11").exists())
