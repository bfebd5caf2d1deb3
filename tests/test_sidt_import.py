"""SIDT extract import: matching, conflicts, re-import, rows outside the regency, bad input,
history naming the file and the user, and access to the import page's SIDT kind."""

import csv
import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from businesses.models import Business
from businesses.sidt import COLUMN_NAMES
from core.models import ImportJob
from core.sheet_imports import run_import, validate

from .base import PersonaTestCase, make_user
from .test_businesses import NIK_MAN, NIK_WOMAN, make_business

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LONG_AGO = "2024-01-15 08:00:00"


def sidt_row(**values) -> dict:
    row = dict.fromkeys(COLUMN_NAMES, "")
    row |= {
        "id_data_badan_usaha": "SIDT-1",
        "nik_pengusaha": NIK_WOMAN,
        "nama_pengusaha": "Iis Suryani",
        "jenis_kelamin": "P",
        "tanggal_lahir": "1985-03-12",
        "kontak_hp": "081234567890",
        "prov_pengusaha": "JAWA BARAT",
        "kab_pengusaha": "KABUPATEN KARAWANG",
        "kec_pengusaha": "Klari",
        "kel_pengusaha": "Duren",
        "rt_pengusaha": "3",
        "nama_usaha": "Keripik Bu Iis",
        "kategori_kbli": "C",
        "kode_kbli": "10792",
        "skala_usaha": "mikro",
        "omzet_tahunan": "60000000",
        "prov_usaha": "JAWA BARAT",
        "kab_usaha": "32.15",
        "kec_usaha": "32.15.05",
        "kel_usaha": "32.15.05.2001",
        "tk_dibayar_laki": "1",
        "updated_at": LONG_AGO,
    }
    return row | values


def extract(*rows: dict, header=COLUMN_NAMES) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


class SidtImportTests(PersonaTestCase):
    def job(self, content: bytes, name="ekstrak-sidt.csv", user=None) -> ImportJob:
        job = ImportJob(kind="sidt", filename=name, uploaded_by=user or self.staff)
        job.file.save("sidt.csv", ContentFile(content), save=False)
        job.save()
        return validate(job)

    def imported(self, content: bytes, **kwargs) -> ImportJob:
        job = self.job(content, **kwargs)
        self.assertEqual(job.errors, [])
        return run_import(job)

    def test_new_rows_are_created_with_history_naming_file_and_user(self):
        job = self.imported(
            extract(
                sidt_row(),
                sidt_row(**{"id_data_badan_usaha": "SIDT-2", "nama_usaha": "Warung Iis"}),
            )
        )
        self.assertEqual(job.state, ImportJob.State.DONE)
        self.assertEqual(job.counts["new"], 2)
        business = Business.objects.get(sidt_id="SIDT-1")
        self.assertEqual(business.village, self.duren)
        self.assertEqual(business.owner_village, self.duren)
        self.assertEqual(business.owner_rt, "003")
        self.assertEqual(business.phone, "+6281234567890")
        self.assertEqual(business.annual_turnover, 60_000_000)
        self.assertEqual(business.sector, "makanan")
        record = business.history.get()
        self.assertEqual(record.history_user, self.staff)
        self.assertEqual(record.history_change_reason, "Impor SIDT: ekstrak-sidt.csv")

    def test_a_csv_saved_by_excel_on_windows_keeps_its_characters(self):
        """Windows-1252, with the special character far past the first bytes read."""
        rows = [sidt_row(**{"id_data_badan_usaha": f"SIDT-{n}"}) for n in range(2, 200)]
        rows.append(sidt_row(nama_usaha="Kue Bu Iis’ Jaya"))
        content = extract(*rows).decode().encode("cp1252")
        self.imported(content)
        self.assertEqual(Business.objects.get(sidt_id="SIDT-1").name, "Kue Bu Iis’ Jaya")

    def test_village_by_name_and_codes_in_other_forms(self):
        row = sidt_row(kab_usaha="Karawang", kec_usaha="KLARI", kel_usaha="desa  duren")
        self.imported(extract(row))
        self.assertEqual(Business.objects.get(sidt_id="SIDT-1").village, self.duren)

    def test_matching_by_sidt_id_updates_field_by_field_with_history(self):
        self.imported(extract(sidt_row()))
        changed = sidt_row(omzet_tahunan="90000000", updated_at="2099-01-01 00:00:00")
        job = self.job(extract(changed), name="ekstrak-2.csv")
        self.assertEqual(job.counts["update"], 1)
        self.assertEqual(job.counts["changes"][0]["fields"][0][1:], ["60000000", "90000000"])
        run_import(job)
        business = Business.objects.get(sidt_id="SIDT-1")
        self.assertEqual(business.annual_turnover, 90_000_000)
        latest = business.history.first()
        self.assertEqual(latest.history_change_reason, "Impor SIDT: ekstrak-2.csv")
        self.assertEqual(latest.history_user, self.staff)

    def test_reimporting_the_same_file_changes_nothing(self):
        content = extract(
            sidt_row(), sidt_row(**{"id_data_badan_usaha": "SIDT-2"}, nama_usaha="Warung Iis")
        )
        self.imported(content)
        before = Business.history.count()
        job = self.imported(content)
        self.assertEqual(job.state, ImportJob.State.DONE)
        self.assertEqual((job.counts["new"], job.counts["update"], job.counts["skip"]), (0, 0, 2))
        self.assertEqual(Business.history.count(), before)

    def test_matching_by_nik_is_a_link_to_confirm(self):
        business = make_business(self.duren, name="Nama Lain", owner_nik=NIK_WOMAN)
        job = self.job(extract(sidt_row()))
        self.assertEqual(job.counts["link"], 1)
        self.assertEqual(job.warnings[0]["row"], 1)
        self.assertIn(f"#{business.pk}", job.warnings[0]["message"])
        run_import(job)
        business.refresh_from_db()
        self.assertEqual(business.sidt_id, "SIDT-1")
        self.assertEqual(Business.objects.count(), 1)

    def test_matching_by_name_within_the_village(self):
        business = make_business(self.duren, name="KERIPIK BU IIS", owner_nik="")
        job = self.job(extract(sidt_row(nik_pengusaha="", tanggal_lahir="", jenis_kelamin="")))
        self.assertEqual(job.counts["link"], 1)
        run_import(job)
        business.refresh_from_db()
        self.assertEqual(business.sidt_id, "SIDT-1")

    def test_same_name_in_another_village_is_not_matched(self):
        make_business(self.payungsari, name="Keripik Bu Iis", owner_nik="")
        job = self.job(extract(sidt_row(nik_pengusaha="", tanggal_lahir="")))
        self.assertEqual((job.counts["link"], job.counts["new"]), (0, 1))

    def test_confirming_the_link_is_required_on_the_page(self):
        make_business(self.duren, name="Nama Lain", owner_nik=NIK_WOMAN)
        job = self.job(extract(sidt_row()))
        self.client.force_login(self.staff)
        response = self.client.get(job.get_absolute_url())
        self.assertContains(response, "akan ditautkan")
        self.client.post(reverse("imports:confirm", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.state, ImportJob.State.PREVIEW)

    def test_a_value_changed_in_the_app_after_updated_at_is_a_conflict_and_kept(self):
        self.imported(extract(sidt_row()))
        business = Business.objects.get(sidt_id="SIDT-1")
        business.phone = "081111111111"
        business._change_reason = "diubah di aplikasi"
        business.save()
        row = sidt_row(kontak_hp="082222222222", omzet_tahunan="70000000")
        job = self.job(extract(row))
        self.assertEqual(job.counts["conflict"], 1)
        self.assertEqual(job.counts["update"], 1)
        run_import(job)
        business.refresh_from_db()
        self.assertEqual(business.phone, "+6281111111111")  # kept
        self.assertEqual(business.annual_turnover, 70_000_000)  # not touched in the app: applied
        before = Business.history.count()
        again = self.imported(extract(row))
        self.assertEqual(again.counts["conflict"], 1)
        self.assertEqual(Business.history.count(), before)

    def test_an_extract_newer_than_the_app_change_overwrites_it(self):
        self.imported(extract(sidt_row()))
        business = Business.objects.get(sidt_id="SIDT-1")
        business.phone = "081111111111"
        business.save()
        later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        job = self.imported(extract(sidt_row(kontak_hp="082222222222", updated_at=later)))
        self.assertEqual(job.counts["conflict"], 0)
        business.refresh_from_db()
        self.assertEqual(business.phone, "+6282222222222")

    def test_rows_outside_the_regency_are_counted_and_skipped(self):
        other = sidt_row(
            **{"id_data_badan_usaha": "SIDT-9"},
            kab_usaha="KABUPATEN BEKASI",
            kec_usaha="Cikarang",
            kel_usaha="Tidak Ada",
        )
        job = self.imported(extract(sidt_row(), other))
        self.assertEqual((job.counts["new"], job.counts["outside"]), (1, 1))
        self.assertEqual(job.counts["outside_by"], {"KABUPATEN BEKASI": 1})
        self.assertFalse(Business.objects.filter(sidt_id="SIDT-9").exists())

    def test_a_header_that_is_not_sidts_is_refused(self):
        header = [*COLUMN_NAMES[:-1], "catatan"]
        job = self.job(extract(sidt_row(), header=header))
        self.assertEqual(len(job.errors), 1)
        self.assertIn("catatan", job.errors[0]["message"])
        self.assertIn("source_page", job.errors[0]["message"])
        run_import(job)
        self.assertFalse(Business.objects.exists())

    def test_a_sheet_of_another_kind_is_refused(self):
        job = self.job(b"Nama usaha,Nama pemilik\nA,B\n")
        self.assertIn("bukan ekstrak SIDT", job.errors[0]["message"])

    def test_a_mangled_nik_is_refused_by_row_and_column_and_nothing_is_written(self):
        bad = sidt_row(**{"id_data_badan_usaha": "SIDT-2"}, nik_pengusaha="3.21505E+15")
        short = sidt_row(**{"id_data_badan_usaha": "SIDT-3"}, nik_pengusaha="321505120385001")
        job = self.job(extract(sidt_row(), bad, short))
        problems = {(e["row"], e["column"]) for e in job.errors}
        self.assertEqual(problems, {(2, "nik_pengusaha"), (3, "nik_pengusaha")})
        self.assertIn("notasi ilmiah", job.errors[0]["message"])
        self.assertEqual(run_import(job).state, ImportJob.State.FAILED)
        self.assertFalse(Business.objects.exists())

    def test_an_unknown_village_is_refused(self):
        job = self.job(extract(sidt_row(kel_usaha="Antah Berantah", kec_usaha="Klari")))
        self.assertEqual([(e["row"], e["column"]) for e in job.errors], [(1, "kel_usaha")])

    def test_birth_date_and_gender_must_agree_with_the_nik(self):
        job = self.job(extract(sidt_row(tanggal_lahir="1990-01-01", jenis_kelamin="L")))
        columns = {e["column"] for e in job.errors}
        self.assertEqual(columns, {"tanggal_lahir", "jenis_kelamin"})

    def test_a_start_in_the_future_is_refused_as_the_form_refuses_it(self):
        today = timezone.localdate()
        year, month = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
        for values in (
            {"tahun_mulai_operasi": str(year), "bulan_mulai_operasi": str(month)},
            {"tahun_mulai_operasi": "", "bulan_mulai_operasi": "3"},
        ):
            with self.subTest(values=values):
                job = self.job(extract(sidt_row(**values)))
                self.assertEqual({e["column"] for e in job.errors}, {"tahun_mulai_operasi"})
        self.assertFalse(Business.objects.exists())

    def test_the_same_sidt_id_twice_is_refused(self):
        job = self.job(
            extract(
                sidt_row(), sidt_row(nik_pengusaha=NIK_MAN, jenis_kelamin="L", tanggal_lahir="")
            )
        )
        self.assertEqual(
            [(e["row"], e["column"]) for e in job.errors], [(2, "id_data_badan_usaha")]
        )

    def test_xlsx_extract_refuses_nik_number_cells(self):
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(list(COLUMN_NAMES))
        values = sidt_row()
        values["nik_pengusaha"] = 3215055203850002
        book.active.append([values[c] for c in COLUMN_NAMES])
        out = io.BytesIO()
        book.save(out)
        job = self.job(out.getvalue(), name="sidt.xlsx")
        self.assertEqual([(e["row"], e["column"]) for e in job.errors], [(1, "nik_pengusaha")])


@override_settings(TASKS=IMMEDIATE)
class SidtImportAccessTests(PersonaTestCase):
    def test_staff_sees_the_sidt_kind_and_its_template(self):
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(reverse("imports:index")), "SIDT")
        response = self.client.get(reverse("imports:template", args=["sidt"]))
        self.assertEqual(response.status_code, 200)

    def test_mentor_may_not_import_sidt(self):
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("imports:template", args=["sidt"]))
        self.assertEqual(response.status_code, 404)
        upload = SimpleUploadedFile("sidt.csv", extract(sidt_row()))
        response = self.client.post(reverse("imports:index"), {"kind": "sidt", "file": upload})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ImportJob.objects.exists())

    def test_read_only_gets_403_outsider_404_anonymous_login(self):
        url = reverse("imports:template", args=["sidt"])
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertRedirects(
            self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False
        )

    def test_a_regency_extract_may_be_larger_than_other_sheets(self):
        """A SIDT extract of a regency is tens of MB; other sheets stay at 10 MB."""
        self.client.force_login(self.staff)
        padding = b"\n" * (11 * 1024 * 1024)  # blank lines, skipped
        big = extract(sidt_row()) + padding
        response = self.client.post(
            reverse("imports:index"), {"kind": "usaha", "file": SimpleUploadedFile("b.csv", big)}
        )
        self.assertContains(response, "Berkas paling besar 10 MB.", status_code=400)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("imports:index"),
                {"kind": "sidt", "file": SimpleUploadedFile("ekstrak.csv", big)},
            )
        job = ImportJob.objects.get()
        self.assertRedirects(response, job.get_absolute_url(), fetch_redirect_response=False)

    def test_upload_preview_confirm_import(self):
        self.client.force_login(self.staff)
        upload = SimpleUploadedFile("ekstrak.csv", extract(sidt_row()))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:index"), {"kind": "sidt", "file": upload})
        job = ImportJob.objects.get()
        response = self.client.get(job.get_absolute_url())
        self.assertContains(response, "Pratinjau ekstrak SIDT")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:confirm", args=[job.pk]))
        job.refresh_from_db()
        self.assertEqual(job.state, ImportJob.State.DONE)
        self.assertTrue(Business.objects.filter(sidt_id="SIDT-1").exists())


def admin_user():
    return make_user("admin-sidt", "Administrator")


class SidtGeneratorTests(PersonaTestCase):
    def generated(self, **options) -> ImportJob:
        import tempfile
        from pathlib import Path

        from businesses.management.commands.generate_sidt_extract import write_extract

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "sidt.csv")
            write_extract(rows=300, out=str(path), **options)
            content = path.read_bytes()
        job = ImportJob(kind="sidt", filename="sidt.csv", uploaded_by=self.staff)
        job.file.save("sidt.csv", ContentFile(content), save=False)
        job.save()
        return validate(job)

    def test_a_messy_generated_extract_imports_without_errors(self):
        job = self.generated(mess=30)
        self.assertEqual(job.errors, [])
        self.assertGreater(job.counts["outside"], 0)
        self.assertEqual(job.counts["new"] + job.counts["outside"], 300)

    def test_broken_rows_are_refused_by_row_and_nik_column(self):
        job = self.generated(broken=10)
        self.assertTrue(job.errors)
        self.assertEqual({e["column"] for e in job.errors}, {"nik_pengusaha"})
