"""Spreadsheet import on the site: template, forgiving parsing, strict identifiers, preview
with every bad row, confirmation of warnings, all-or-nothing import with history."""

import io
import os
from datetime import date, datetime

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from businesses.models import Business, Product
from core.models import ImportJob
from core.sheets import parse_date, parse_rupiah

from .base import PersonaTestCase
from .test_businesses import NIK_MAN, NIK_WOMAN, make_business

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
HEADER = [
    "Nama usaha",
    "Nama pemilik",
    "NIK pemilik",
    "Jenis kelamin (L/P)",
    "Nomor HP/WhatsApp",
    "Kecamatan",
    "Desa/Kelurahan",
    "Sektor",
    "Omzet per bulan (Rp)",
    "Tanggal NIB",
    "Produk unggulan",
    "Harga produk (Rp)",
]


def row(name="Keripik Bu Iis", nik=NIK_WOMAN, district="Klari", village="Duren", **extra):
    values = {
        "Nama usaha": name,
        "Nama pemilik": "Iis",
        "NIK pemilik": nik,
        "Jenis kelamin (L/P)": "P",
        "Nomor HP/WhatsApp": "0812 3456 7890",
        "Kecamatan": district,
        "Desa/Kelurahan": village,
        "Sektor": "Makanan dan minuman",
        "Omzet per bulan (Rp)": "Rp 1.500.000",
        "Tanggal NIB": "",
        "Produk unggulan": "",
        "Harga produk (Rp)": "",
    } | extra
    return [values[h] for h in HEADER]


def xlsx(*rows, title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@override_settings(TASKS=IMMEDIATE)
class SheetImportTests(PersonaTestCase):
    url = reverse("imports:index")

    def upload(self, content: bytes, user=None, name="usaha-desa.xlsx") -> ImportJob:
        self.client.force_login(user or self.staff)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url, {"kind": "usaha", "file": SimpleUploadedFile(name, content)}
            )
        job = ImportJob.objects.latest("uploaded_at")
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)
        job.refresh_from_db()
        return job

    def confirm(self, job: ImportJob, **data) -> ImportJob:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:confirm", args=[job.pk]), data)
        job.refresh_from_db()
        return job

    def messages(self, job: ImportJob) -> list[str]:
        return [f"{e['row']}|{e['column']}|{e['message']}" for e in job.errors]

    def test_the_template_keeps_identifiers_as_text_and_explains_each_column(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("imports:template", args=["usaha"]))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["Usaha"]
        headers = [c.value for c in sheet[1]]
        nik = headers.index("NIK pemilik") + 1
        self.assertEqual(sheet.cell(row=3, column=nik).number_format, "@")
        self.assertEqual(len(sheet.data_validations.dataValidation), 3)
        self.assertIn("Petunjuk", book.sheetnames)
        self.assertEqual(
            sheet.cell(row=2, column=headers.index("Nama usaha") + 1).value,
            "CONTOH: Keripik Singkong Bu Iis",
        )
        # Sent back as it is, the example row is refused, not imported.
        job = self.upload(response.content)
        self.assertIn("baris contoh", job.errors[0]["message"])

    def test_a_clean_sheet_with_a_title_line_previews_then_imports_with_history(self):
        content = xlsx(
            row(
                village="desa  DUREN",
                **{
                    "Produk unggulan": "Keripik balado",
                    "Harga produk (Rp)": 15000.0,
                    "Tanggal NIB": "31/01/2026",
                },
            ),
            [],
            row(
                "Opak Pak Odih",
                NIK_MAN,
                "pedes",
                "Payungsari",
                **{
                    "Jenis kelamin (L/P)": "L",
                    "Omzet per bulan (Rp)": 2500000,
                    "Tanggal NIB": 46053,
                },
            ),
            title="Data UMKM Kecamatan 2026",
        )
        job = self.upload(content)
        self.assertEqual(job.state, ImportJob.State.PREVIEW, self.messages(job))
        self.assertEqual(job.errors, [])
        self.assertEqual((job.counts["new"], job.total_rows), (2, 2))
        self.assertFalse(Business.objects.exists())
        job = self.confirm(job)
        self.assertEqual(job.state, ImportJob.State.DONE, self.messages(job))
        iis = Business.objects.get(name="Keripik Bu Iis")
        self.assertEqual(
            (iis.village, iis.phone, iis.monthly_turnover, iis.nib_date, iis.sector),
            (self.duren, "+6281234567890", 1_500_000, date(2026, 1, 31), "makanan"),
        )
        self.assertEqual(Product.objects.get(business=iis).price, 15000)
        odih = Business.objects.get(name="Opak Pak Odih")
        self.assertEqual((odih.village, odih.nib_date), (self.payungsari, date(2026, 1, 31)))
        record = iis.history.latest()
        self.assertEqual(record.history_user, self.staff)
        self.assertIn("usaha-desa.xlsx", record.history_change_reason)
        self.assertContains(self.client.get(job.get_absolute_url()), "2 baru")

    def test_a_nik_excel_turned_into_a_number_is_refused_by_row_and_column(self):
        job = self.upload(xlsx(row(), row("Opak", 3215016701716580.0)))
        self.assertEqual(job.state, ImportJob.State.PREVIEW)
        (error,) = job.errors
        self.assertEqual((error["row"], error["line"]), (2, 3))
        self.assertIn("kolom owner_nik", error["message"])
        self.assertIn("bukan teks", error["message"])
        self.assertContains(self.client.get(job.get_absolute_url()), "tidak ada yang diimpor")
        self.assertEqual(self.confirm(job).state, ImportJob.State.PREVIEW)
        self.assertFalse(Business.objects.exists())

    def test_errors_name_the_spreadsheet_line_below_a_title(self):
        job = self.upload(
            xlsx(row(nik=""), row("X", nik="", **{"Sektor": "Tambang"}), title="Data")
        )
        # Title on line 1, a blank line, the header on line 3: the second data row is line 5.
        self.assertEqual([(e["row"], e["line"]) for e in job.errors], [(2, 5)])

    def test_fifteen_digits_and_a_bad_date_are_never_repaired(self):
        job = self.upload(
            xlsx(row(nik="321501670171658"), row("Opak", NIK_MAN, **{"Tanggal NIB": "31/02/2026"}))
        )
        text = " ".join(self.messages(job))
        self.assertIn("15", text)
        self.assertIn("31/02/2026 bukan tanggal yang ada", text)

    def test_a_mentors_row_for_another_village_is_an_error_and_nothing_is_written(self):
        job = self.upload(
            xlsx(row(nik=""), row("Terasi", "", "Pedes", "Payungsari")), user=self.mentor.user
        )
        (error,) = job.errors
        self.assertEqual(error["row"], 2)
        self.assertIn("bukan desa yang boleh Anda ubah", error["message"])
        self.assertFalse(Business.objects.exists())

    def test_every_problem_of_a_row_is_listed_at_once(self):
        job = self.upload(
            xlsx(
                row(
                    nik="",
                    village="Durian",
                    **{"Sektor": "Tambang", "Omzet per bulan (Rp)": "1,5 juta"},
                )
            )
        )
        (error,) = job.errors
        for part in ("Durian tidak ada", "kolom monthly_turnover", "Tambang tidak dikenal"):
            self.assertIn(part, error["message"])

    def test_an_unknown_or_ambiguous_village_names_the_candidates(self):
        job = self.upload(xlsx(row(village="Durian")))
        self.assertIn("Desa di sana: Duren, Pancawati", job.errors[0]["message"])

    def test_an_ambiguous_village_name_lists_the_codes(self):
        from villages.models import Village

        Village.objects.create(code="32.15.05.1009", district=self.klari, name="Duren")
        job = self.upload(xlsx(row(nik="")))
        message = job.errors[0]["message"]
        self.assertIn("lebih dari satu desa", message)
        self.assertIn("32.15.05.2001", message)
        self.assertIn("32.15.05.1009", message)

    def test_spaces_around_values_are_trimmed(self):
        job = self.upload(xlsx(row("  Keripik Bu Iis  ", nik="", village="  Duren ")))
        self.assertEqual(job.errors, [])
        self.confirm(job)
        self.assertEqual(Business.objects.get().name, "Keripik Bu Iis")

    def test_one_bad_row_of_500_writes_nothing(self):
        rows = [row(f"Usaha {i}", nik="") for i in range(500)]
        rows[321] = row("Usaha rusak", nik="", **{"Sektor": "Tambang"})
        job = self.upload(xlsx(*rows))
        self.assertEqual([e["row"] for e in job.errors], [322])
        self.assertIn("Tambang tidak dikenal", job.errors[0]["message"])
        self.assertEqual(Business.objects.count(), 0)

    def test_duplicates_are_warnings_confirmed_row_by_row_or_as_a_group(self):
        make_business(self.duren, "Keripik Bu Iis", owner_nik="")
        job = self.upload(xlsx(row(nik=""), row("Opak", NIK_MAN), row("Opak 2", NIK_MAN)))
        self.assertEqual(job.errors, [])
        self.assertEqual([w["row"] for w in job.warnings], [1, 3])
        job = self.confirm(job, confirm=["1"])
        self.assertEqual(job.state, ImportJob.State.PREVIEW)
        self.assertEqual(Business.objects.count(), 1)
        job = self.confirm(job, confirm=["1", "3"])
        self.assertEqual(job.state, ImportJob.State.DONE, self.messages(job))
        self.assertEqual(Business.objects.count(), 4)

    def test_a_sheet_exported_from_the_list_updates_its_businesses(self):
        business = make_business(self.duren, "Keripik Bu Iis", owner_nik="")
        version = business.version
        self.client.force_login(self.staff)
        exported = self.client.get(reverse("businesses:list"), {"ekspor": "xlsx"}).content
        book = openpyxl.load_workbook(io.BytesIO(exported))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        sheet.cell(row=2, column=headers.index("address") + 1, value="Kp. Baru RT 03")
        out = io.BytesIO()
        book.save(out)
        job = self.upload(out.getvalue(), name="usaha-ubah.xlsx")
        self.assertEqual(job.errors, [])
        self.assertEqual((job.counts["update"], job.counts["new"]), (1, 0))
        job = self.confirm(job)
        self.assertEqual(job.state, ImportJob.State.DONE, self.messages(job))
        business.refresh_from_db()
        self.assertEqual((business.address, business.version), ("Kp. Baru RT 03", version + 1))
        record = business.history.latest()
        self.assertEqual((record.history_user, record.history_type), (self.staff, "~"))
        self.assertIn("usaha-ubah.xlsx", record.history_change_reason)

    def exported_sheet(self, change=None) -> bytes:
        self.client.force_login(self.staff)
        exported = self.client.get(reverse("businesses:list"), {"ekspor": "xlsx"}).content
        book = openpyxl.load_workbook(io.BytesIO(exported))
        if change:
            headers = [c.value for c in book.active[1]]
            column, value = change
            book.active.cell(row=2, column=headers.index(column) + 1, value=value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def test_an_unchanged_export_sent_back_changes_nothing(self):
        business = make_business(self.duren, "Keripik Bu Iis", owner_nik="")
        job = self.upload(self.exported_sheet())
        self.assertEqual((job.counts["skip"], job.counts["update"]), (1, 0))
        self.assertIn("tidak satu pun yang baru atau berubah", job.errors[0]["message"])
        business.refresh_from_db()
        self.assertEqual(business.version, 1)

    def test_a_sheet_older_than_a_later_edit_is_refused_for_that_row(self):
        business = make_business(self.duren, "Keripik Bu Iis", owner_nik="")
        sheet = self.exported_sheet(("address", "Kp. Lama"))
        business.address = "Kp. Baru (diubah di web)"
        business.version += 1
        business.save()
        job = self.upload(sheet)
        self.assertIn("sudah diubah orang lain", " ".join(self.messages(job)))
        business.refresh_from_db()
        self.assertEqual(business.address, "Kp. Baru (diubah di web)")

    def test_a_mentor_cannot_update_a_business_outside_their_villages_by_its_id(self):
        other = make_business(self.payungsari, "Terasi", owner_nik="")
        content = xlsx(
            row("Terasi baru", nik="", **{}),
        )
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = book.active
        sheet.cell(row=1, column=len(HEADER) + 1, value="id")
        sheet.cell(row=2, column=len(HEADER) + 1, value=other.pk)
        out = io.BytesIO()
        book.save(out)
        job = self.upload(out.getvalue(), user=self.mentor.user)
        self.assertIn("tidak ada di wilayah Anda", " ".join(self.messages(job)))
        other.refresh_from_db()
        self.assertEqual(other.name, "Terasi")

    def test_a_running_step_shows_its_progress_and_polls(self):
        job = ImportJob.objects.create(
            kind="usaha", filename="a.xlsx", uploaded_by=self.staff, progress=40
        )
        self.client.force_login(self.staff)
        page = self.client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, 'value="40" max="100"')
        job.state = ImportJob.State.DONE
        job.save()
        self.assertNotContains(self.client.get(job.get_absolute_url()), "every 1s")

    def test_a_file_that_is_not_a_sheet_is_refused_next_to_the_field(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            self.url, {"kind": "usaha", "file": SimpleUploadedFile("data.xlsx", b"<html>")}
        )
        self.assertContains(response, "bukan XLSX", status_code=400)
        self.assertFalse(ImportJob.objects.exists())

    def test_access(self):
        job = self.upload(xlsx(row()))
        urls = [self.url, reverse("imports:template", args=["usaha"]), job.get_absolute_url()]
        self.client.force_login(self.outsider)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.client.force_login(self.leader)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.client.force_login(self.other_mentor.user)  # may import, but not this job
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("imports:confirm", args=[job.pk])).status_code, 404
        )
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


class ParseTests(PersonaTestCase):
    def test_a_bare_year_is_not_a_date(self):
        for bad in ("2025", 2025, 12, "46053"):
            with self.subTest(bad), self.assertRaises(ValueError):
                parse_date(bad)

    def test_a_column_twice_or_data_beyond_the_header_refuses_the_sheet(self):
        from core.sheets import SheetError, read_sheet

        known = {"Kode desa": "village_code", "village_code": "village_code", "Nama usaha": "name"}
        book = openpyxl.Workbook()
        book.active.append(["Nama usaha", "Kode desa", "village_code"])
        out = io.BytesIO()
        book.save(out)
        with self.assertRaisesMessage(SheetError, "dua kali"):
            read_sheet(out.getvalue(), "a.xlsx", known)
        book = openpyxl.Workbook()
        book.active.append(["Nama usaha"])
        book.active.append(["Opak", None, "catatan liar"])
        out = io.BytesIO()
        book.save(out)
        with self.assertRaisesMessage(SheetError, "di kanan kolom terakhir"):
            read_sheet(out.getvalue(), "a.xlsx", known)

    def test_rupiah_and_dates_in_the_forms_people_write(self):
        for value in ("Rp 1.500.000", 1500000, 1500000.0, "1500000", "1.500.000", "1500000.0"):
            self.assertEqual(parse_rupiah(value), 1_500_000, value)
        for value in ("2026-01-31", "31/01/2026", "31-01-2026", 46053, datetime(2026, 1, 31)):
            self.assertEqual(parse_date(value), date(2026, 1, 31), value)
        for bad in ("1,5 juta", 1500.5):
            with self.assertRaises(ValueError):
                parse_rupiah(bad)


class PruneTests(PersonaTestCase):
    def test_uploads_older_than_30_days_are_deleted_with_their_jobs(self):
        from datetime import timedelta

        from django.core.files.base import ContentFile
        from django.core.management import call_command
        from django.utils import timezone

        jobs = []
        for days in (31, 29):
            job = ImportJob(kind="usaha", filename="a.xlsx", uploaded_by=self.staff)
            job.file.save("a.xlsx", ContentFile(b"PK\x03\x04"), save=False)
            job.save()
            ImportJob.objects.filter(pk=job.pk).update(
                uploaded_at=timezone.now() - timedelta(days=days)
            )
            jobs.append(job)
        old_path = jobs[0].file.path
        call_command("prune_imports", stdout=io.StringIO())
        self.assertEqual(list(ImportJob.objects.all()), [jobs[1]])
        self.assertFalse(os.path.exists(old_path))
        jobs[1].file.delete(save=False)


@override_settings(TASKS=IMMEDIATE)
class CooperativeSheetTests(PersonaTestCase):
    def test_staff_imports_the_provinces_registry_with_places_by_name(self):
        from cooperatives.models import Cooperative

        book = openpyxl.Workbook()
        book.active.append(["Daftar Koperasi Kabupaten Karawang 2026"])
        book.active.append(
            [
                "Nama koperasi",
                "Jenis koperasi",
                "Kecamatan",
                "Desa/Kelurahan",
                "Aktif (ya/tidak)",
                "Tanggal RAT terakhir",
                "Anggota perempuan",
            ]
        )
        book.active.append(
            ["KSP Mekar", "simpan pinjam", "klari", "Desa Duren", "ya", "15/03/2026", 40]
        )
        out = io.BytesIO()
        book.save(out)
        self.client.force_login(self.staff)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("imports:index"),
                {"kind": "koperasi", "file": SimpleUploadedFile("kop.xlsx", out.getvalue())},
            )
        job = ImportJob.objects.get()
        self.assertEqual(job.errors, [])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:confirm", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.state, ImportJob.State.DONE, job.errors)
        cooperative = Cooperative.objects.get()
        self.assertEqual(
            (
                cooperative.district,
                cooperative.village,
                cooperative.type,
                cooperative.last_rat_date,
            ),
            (self.klari, self.duren, "simpan_pinjam", date(2026, 3, 15)),
        )
        self.assertEqual(cooperative.history.latest().history_user, self.staff)

    def test_a_mentor_is_not_offered_the_cooperative_sheet(self):
        self.client.force_login(self.mentor.user)
        page = self.client.get(reverse("imports:index"))
        self.assertNotContains(page, 'value="koperasi"')
        response = self.client.post(
            reverse("imports:index"),
            {"kind": "koperasi", "file": SimpleUploadedFile("kop.csv", b"Nama koperasi\nX\n")},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ImportJob.objects.exists())
        self.client.force_login(self.staff)
        self.assertEqual(
            self.client.get(reverse("imports:template", args=["koperasi"])).status_code, 200
        )


class BenchmarkGuardTests(PersonaTestCase):
    def test_benchmarks_refuse_a_database_not_named_for_them(self):
        from django.core.management import CommandError, call_command

        for command in ("bench_import", "bench_report"):
            with self.subTest(command), self.assertRaisesMessage(CommandError, "benchmark"):
                call_command(command)
        self.assertFalse(Business.objects.exists())
