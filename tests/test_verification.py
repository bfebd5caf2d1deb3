"""Field verification (pemutakhiran data): mentors verify the SIDT records of their villages."""

import shutil
import tempfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assistance.models import Verification, VerificationResult
from reports import figures
from reports.figures import Area, parse_period
from reports.pdf import render_pdf

from .base import PersonaTestCase
from .test_businesses import make_business
from .test_report_pdf import pdf_text

PRIVATE = Path(tempfile.gettempdir()) / "karawang-verification-tests"
PLANTED = b"GPS 6.3,107.3 planted"


def jpeg_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PLANTED.decode()  # ImageDescription
    out = BytesIO()
    Image.new("RGB", (2000, 1500), "#0b6e4f").save(out, "JPEG", comment=PLANTED, exif=exif)
    return out.getvalue()


def make_record(village, name: str, sidt_id: str, **fields):
    """A business imported from SIDT (it carries SIDT's id)."""
    return make_business(village, name, owner_nik="", sidt_id=sidt_id, **fields)


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class VerificationFlowTests(PersonaTestCase):
    def setUp(self) -> None:
        self.record = make_record(self.duren, "Opak Duren", "SIDT-1")
        self.url = reverse("assistance:verify", args=[self.record.pk])

    def tearDown(self) -> None:
        shutil.rmtree(PRIVATE, ignore_errors=True)

    def post(self, user, result: str, **extra):
        self.client.force_login(user)
        data = {"result": result, "date": timezone.localdate().isoformat(), "note": ""} | extra
        return self.client.post(self.url, data)

    def test_a_mentor_records_each_result_and_the_newest_is_the_state(self):
        for result in VerificationResult.values:
            with self.subTest(result):
                response = self.post(self.mentor.user, result, note=f"cek {result}")
                self.assertRedirects(response, reverse("assistance:verifications"))
                latest = self.record.verifications.first()
                self.assertEqual((latest.result, latest.by), (result, self.mentor.user))
        self.assertEqual(self.record.verifications.count(), len(VerificationResult.values))
        page = self.client.get(self.record.get_absolute_url())
        self.assertContains(page, "Tidak ditemukan")  # the newest, shown as the state
        self.assertContains(page, reverse("assistance:verify", args=[self.record.pk]))

    def test_the_form_links_to_the_business_form_for_a_correction(self):
        self.client.force_login(self.mentor.user)
        page = self.client.get(self.url)
        self.assertContains(page, reverse("businesses:edit", args=[self.record.pk]))
        self.assertContains(page, 'value="dikoreksi"')

    def test_a_date_in_the_future_and_an_unknown_result_are_refused(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.post(self.mentor.user, "ditemukan", date=tomorrow)
        self.assertContains(response, "tidak boleh di masa depan", status_code=400)
        self.assertEqual(self.post(self.mentor.user, "hilang").status_code, 400)
        self.assertFalse(Verification.objects.exists())

    def test_a_mentor_verifies_only_their_villages(self):
        theirs = make_record(self.payungsari, "Terasi Pedes", "SIDT-2")
        self.client.force_login(self.mentor.user)
        url = reverse("assistance:verify", args=[theirs.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"result": "ditemukan"}).status_code, 404)
        # An ended assignment no longer counts.
        self.assertEqual(self.post(self.expired_mentor.user, "ditemukan").status_code, 404)
        self.assertFalse(Verification.objects.exists())

    def test_staff_may_verify(self):
        self.assertEqual(self.post(self.staff, "tutup").status_code, 302)
        self.assertEqual(self.record.verifications.get().by, self.staff)

    def test_read_only_users_get_403_the_outsider_404_and_the_anonymous_the_login(self):
        for user in (self.camat, self.leader):
            with self.subTest(user.username):
                self.assertEqual(self.post(user, "ditemukan").status_code, 403)
        self.assertEqual(self.post(self.outsider, "ditemukan").status_code, 404)
        self.client.logout()
        response = self.client.post(self.url, {"result": "ditemukan"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.assertFalse(Verification.objects.exists())

    def test_a_photo_is_re_encoded_and_served_only_to_who_may_see_the_business(self):
        photo = SimpleUploadedFile("lapangan.jpg", jpeg_with_metadata(), "image/jpeg")
        self.assertEqual(self.post(self.mentor.user, "ditemukan", photo=photo).status_code, 302)
        verification = Verification.objects.get()
        stored = verification.photo.read()
        self.assertNotIn(PLANTED, stored)
        with Image.open(BytesIO(stored)) as image:
            self.assertLessEqual(max(image.size), 1200)
            self.assertNotIn("exif", image.info)
        self.assertTrue(str(verification.photo.path).startswith(str(PRIVATE)))
        url = verification.get_photo_url()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, max-age=3600")
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(url).status_code, 200)
        for user in (self.other_mentor.user, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_a_verification_without_a_photo_has_no_photo_url(self):
        self.post(self.mentor.user, "ditemukan")
        verification = Verification.objects.get()
        response = self.client.get(reverse("assistance:verification_photo", args=[verification.pk]))
        self.assertEqual(response.status_code, 404)


class VerificationListTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.open_record = make_record(cls.duren, "Belum Dicek", "SIDT-1")
        cls.checked = make_record(cls.duren, "Sudah Dicek", "SIDT-2")
        Verification.objects.create(business=cls.checked, result="tutup", by=cls.mentor.user)
        cls.own = make_business(cls.duren, "Daftar Sendiri", owner_nik="")  # not from SIDT
        cls.elsewhere = make_record(cls.payungsari, "Rekaman Pedes", "SIDT-3")

    def names(self, user, **params) -> set[str]:
        self.client.force_login(user)
        response = self.client.get(reverse("assistance:verifications"), params)
        self.assertEqual(response.status_code, 200)
        return {business.name for business in response.context["page"].object_list}

    def test_the_list_shows_the_unverified_sidt_records_of_the_users_area(self):
        self.assertEqual(self.names(self.mentor.user), {"Belum Dicek"})
        self.assertEqual(self.names(self.mentor.user, status="sudah"), {"Sudah Dicek"})
        self.assertEqual(
            self.names(self.mentor.user, status="semua"), {"Belum Dicek", "Sudah Dicek"}
        )
        self.assertEqual(
            self.names(self.mentor.user, status="semua", hasil="tutup"), {"Sudah Dicek"}
        )
        self.assertEqual(self.names(self.staff), {"Belum Dicek", "Rekaman Pedes"})
        self.assertEqual(self.names(self.camat), {"Belum Dicek"})
        self.assertEqual(self.names(self.outsider), set())

    def test_read_only_users_see_no_verify_button(self):
        self.client.force_login(self.camat)
        response = self.client.get(reverse("assistance:verifications"))
        self.assertNotContains(response, reverse("assistance:verify", args=[self.open_record.pk]))

    def test_a_business_page_says_whether_its_record_is_verified(self):
        self.client.force_login(self.camat)
        self.assertContains(
            self.client.get(self.open_record.get_absolute_url()), "Belum diverifikasi"
        )
        page = self.client.get(self.checked.get_absolute_url())
        self.assertContains(page, "Tutup")
        self.assertNotContains(page, reverse("assistance:verify", args=[self.checked.pk]))


class VerificationWorkTests(PersonaTestCase):
    """The records to verify in "Tugas saya" and on the mentor's home, at a constant cost."""

    def add_records(self, n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            make_record(self.duren, f"Rekaman {i:03}", f"SIDT-{i}")

    def test_my_tasks_counts_the_unverified_records_and_shows_the_first_few(self):
        self.add_records(7)
        Verification.objects.create(
            business=make_record(self.duren, "Sudah", "SIDT-X"), result="ditemukan"
        )
        make_record(self.payungsari, "Lain Desa", "SIDT-Y")
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("assistance:my_tasks"))
        self.assertEqual(response.context["unverified_count"].value, 7)
        self.assertEqual(
            [b.name for b in response.context["unverified"]], [f"Rekaman {i:03}" for i in range(5)]
        )
        self.assertContains(response, f"{reverse('assistance:verifications')}?status=belum")
        self.assertNotContains(response, "Lain Desa")

    def test_read_only_users_get_no_verification_section(self):
        self.client.force_login(self.camat)
        response = self.client.get(reverse("assistance:my_tasks"))
        self.assertNotIn("unverified_count", response.context)

    def test_my_tasks_and_the_home_run_a_constant_number_of_queries(self):
        self.client.force_login(self.mentor.user)
        urls = [reverse("assistance:my_tasks"), reverse("home")]
        counts = {url: [] for url in urls}
        for n, start in ((1, 0), (12, 100)):
            self.add_records(n, start)
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts[url].append(len(queries))
        for url, (small, large) in counts.items():
            self.assertEqual(small, large, url)

    def test_the_mentor_home_shows_the_count(self):
        self.add_records(3)
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'id="unverified-count"')
        self.assertContains(response, "<strong>3</strong> data belum diverifikasi", html=False)


class VerificationFigureTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        records = [
            make_record(cls.duren, "D1", "S1"),
            make_record(cls.duren, "D2", "S2"),
            make_record(cls.pancawati, "P1", "S3"),
            make_record(cls.payungsari, "Y1", "S4"),
        ]
        make_business(cls.duren, "Bukan SIDT", owner_nik="")  # not a record to verify
        for record in (records[0], records[3]):
            Verification.objects.create(business=record, result="ditemukan")
        Verification.objects.create(business=records[0], result="dikoreksi")  # counted once

    def test_progress_per_kecamatan_and_per_village(self):
        rows, total = figures.verification_rows(self.staff, Area())
        self.assertEqual(
            [(r.place.name, r.records, r.verified) for r in rows],
            [("Klari", 3, 1), ("Pedes", 1, 1)],
        )
        self.assertEqual((total.records, total.verified, total.unverified), (4, 2, 2))
        rows, total = figures.verification_rows(self.staff, Area(district=self.klari))
        self.assertEqual(
            [(r.place.name, r.records, r.verified) for r in rows],
            [("Duren", 2, 1), ("Pancawati", 1, 0)],
        )
        self.assertEqual(total.share, 100 / 3)
        rows, total = figures.verification_rows(self.staff, Area(village=self.duren))
        self.assertEqual((rows, total.records, total.verified), ([], 2, 1))

    def test_a_mentor_and_a_camat_count_only_their_area(self):
        _rows, total = figures.verification_rows(self.mentor.user, Area())
        self.assertEqual((total.records, total.verified), (2, 1))
        rows, total = figures.verification_rows(self.camat, Area())
        self.assertEqual([r.place.name for r in rows], ["Klari"])
        self.assertEqual((total.records, total.verified), (3, 1))

    def test_the_count_is_one_grouped_query_whatever_the_number_of_places(self):
        self.staff.has_perm("villages.view_all_areas")  # the permissions, read once per request
        with self.assertNumQueries(2):  # the kecamatan, and the grouped count
            figures.verification_rows(self.staff, Area())

    def test_the_pdf_shows_the_progress_per_kecamatan_and_per_village(self):
        period = parse_period("2026")
        data, _pages = render_pdf(figures.compute(self.staff, period, Area(), full=True))
        text = pdf_text(data)
        self.assertIn("Verifikasi lapangan data SIDT", text)
        self.assertIn("2 dari 4 (50,0%)", text)
        self.assertIn("Klari 3 1 2 33,3%", text)
        self.assertIn("Pedes 1 1 0 100,0%", text)
        klari = figures.compute(self.camat, period, Area(district=self.klari), full=True)
        text = pdf_text(render_pdf(klari)[0])
        self.assertIn("Duren 2 1 1 50,0%", text)
        self.assertNotIn("Pedes", text)

    def test_the_dashboard_shows_the_progress(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("reports:dashboard"), {"periode": "2026"})
        self.assertContains(response, 'id="field-verification"')
        self.assertContains(response, "<strong>2/4</strong>", html=False)


class NoSidtRecordsTests(PersonaTestCase):
    """An office that has imported no SIDT extract yet gets no table of zeros."""

    def test_the_dashboard_and_the_pdf_leave_the_section_out(self):
        make_business(self.duren, "Bukan SIDT")
        self.client.force_login(self.staff)
        response = self.client.get(reverse("reports:dashboard"), {"periode": "2026"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'id="field-verification"')
        period = parse_period("2026")
        text = pdf_text(render_pdf(figures.compute(self.staff, period, Area(), full=True))[0])
        self.assertNotIn("Verifikasi lapangan data SIDT", text)
