"""Outcomes that count only when verified, and the halal service standard in working days."""

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from assistance.models import Case, CaseDocument, CaseEvent, Service, Status
from assistance.workdays import HOLIDAYS, working_days
from reports import figures
from reports.figures import Area, parse_period
from reports.pdf import render_pdf

from .base import PersonaTestCase, make_user
from .test_assistance import PDF, make_case
from .test_businesses import make_business
from .test_report_pdf import pdf_text

PRIVATE = Path(tempfile.gettempdir()) / "karawang-outcome-tests"
YEAR = 2026


class WorkingDayTests(SimpleTestCase):
    def test_weekends_are_not_counted(self):
        friday, monday = date(2026, 7, 3), date(2026, 7, 6)
        self.assertEqual(working_days(friday, monday), 1)
        self.assertEqual(working_days(friday, friday + timedelta(days=2)), 0)  # to Sunday
        self.assertEqual(working_days(monday, monday + timedelta(days=7)), 5)
        self.assertEqual(working_days(monday, monday + timedelta(days=28)), 20)

    def test_a_public_holiday_on_a_weekday_is_not_counted(self):
        self.assertIn(date(2026, 8, 17), HOLIDAYS)  # a Monday
        friday = date(2026, 8, 14)
        self.assertEqual(working_days(friday, date(2026, 8, 17)), 0)
        self.assertEqual(working_days(friday, date(2026, 8, 18)), 1)
        # A holiday on a Sunday (Easter 2026) takes nothing more away.
        self.assertEqual(working_days(date(2026, 4, 2), date(2026, 4, 6)), 1)  # Good Friday too

    def test_the_same_or_an_earlier_day_is_zero(self):
        day = date(2026, 7, 1)
        self.assertEqual(working_days(day, day), 0)
        self.assertEqual(working_days(day, day - timedelta(days=3)), 0)

    def test_the_21st_working_day_edge(self):
        start = date(2026, 7, 1)  # a Wednesday; no holiday until 17 August
        self.assertEqual(working_days(start, date(2026, 7, 30)), 21)
        self.assertEqual(working_days(start, date(2026, 7, 31)), 22)


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class OutcomeReviewTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_staff = make_user("dinkop2", "Staf Dinkop")

    def setUp(self) -> None:
        self.case = make_case(make_business(self.duren), "nib", mentor=self.mentor)
        for status in (Status.IN_PROGRESS, Status.SUBMITTED):
            self.case.move_to(status, by=self.mentor.user).save()
        self.case.move_to(Status.DONE, by=self.staff, outcome={"number": "1234567890123"}).save()
        self.case.save()
        self.url = reverse("assistance:review", args=[self.case.pk])

    def tearDown(self) -> None:
        shutil.rmtree(PRIVATE, ignore_errors=True)

    def attach_certificate(self) -> None:
        document = CaseDocument(
            case=self.case, kind="sertifikat", content_type="application/pdf", size=len(PDF)
        )
        document.file.save("nib.pdf", ContentFile(PDF), save=True)

    def review(self, user, decision: str, reason: str = ""):
        self.client.force_login(user)
        self.case.refresh_from_db()
        data = {"version": self.case.version, "decision": decision, "reason": reason}
        return self.client.post(self.url, data)

    def test_verifying_needs_the_certificate(self):
        response = self.review(self.other_staff, "verifikasi")
        self.assertContains(response, "Unggah dulu dokumen jenis Sertifikat", status_code=400)
        self.attach_certificate()
        self.assertEqual(self.review(self.other_staff, "verifikasi").status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.outcome_verified_by, self.other_staff)
        self.assertIsNotNone(self.case.outcome_verified_at)
        self.assertTrue(self.case.events.filter(kind=CaseEvent.Kind.REVIEW).exists())
        again = self.review(self.other_staff, "verifikasi")
        self.assertContains(again, "sudah diverifikasi", status_code=400)

    def test_the_closer_may_not_verify_or_send_back_their_own_case(self):
        self.attach_certificate()
        for decision in ("verifikasi", "kembalikan"):
            with self.subTest(decision):
                response = self.review(self.staff, decision, reason="cek")
                self.assertContains(response, "Anda yang menutup kasus ini", status_code=400)
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.outcome_verified_at), (Status.DONE, None))
        page = self.client.get(self.case.get_absolute_url())
        self.assertNotContains(page, 'id="review-form"')

    def test_sending_back_needs_a_reason_and_reopens_the_case(self):
        response = self.review(self.other_staff, "kembalikan")
        self.assertContains(response, "Tuliskan alasan pengembalian", status_code=400)
        response = self.review(self.other_staff, "kembalikan", reason="Nomor NIB tidak cocok")
        self.assertEqual(response.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.closed_on), (Status.IN_PROGRESS, None))
        event = self.case.events.filter(kind=CaseEvent.Kind.STATUS).first()
        self.assertEqual(
            (event.from_status, event.to_status, event.text, event.by),
            (Status.DONE, Status.IN_PROGRESS, "Nomor NIB tidak cocok", self.other_staff),
        )
        self.assertContains(self.client.get(self.case.get_absolute_url()), "Nomor NIB tidak cocok")

    def test_only_staff_with_the_permission_review_and_others_are_kept_out(self):
        self.attach_certificate()
        self.assertEqual(self.review(self.mentor.user, "verifikasi").status_code, 403)
        for user in (self.camat, self.leader):
            self.assertEqual(self.review(user, "verifikasi").status_code, 403)
        for user in (self.outsider, self.other_mentor.user):
            self.assertEqual(self.review(user, "verifikasi").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.url, {"decision": "verifikasi"}).status_code, 302)
        self.case.refresh_from_db()
        self.assertIsNone(self.case.outcome_verified_at)

    def test_a_case_not_done_or_of_another_service_is_not_reviewed(self):
        packaging = make_case(make_business(self.duren, "Kemasan"), "kemasan", status="done")
        self.client.force_login(self.other_staff)
        response = self.client.post(
            reverse("assistance:review", args=[packaging.pk]),
            {"version": packaging.version, "decision": "verifikasi"},
        )
        self.assertContains(response, "Hanya hasil kasus NIB, PIRT, atau halal", status_code=400)

    def test_the_case_page_offers_the_review_to_another_staff_member(self):
        self.attach_certificate()
        self.client.force_login(self.other_staff)
        page = self.client.get(self.case.get_absolute_url())
        self.assertContains(page, 'id="review-form"')
        self.assertContains(page, 'value="verifikasi"')
        self.client.force_login(self.mentor.user)
        page = self.client.get(self.case.get_absolute_url())
        self.assertContains(page, "Belum diverifikasi")
        self.assertNotContains(page, 'id="review-form"')


class OutcomeFigureTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        reviewer = make_user("pemeriksa", "Staf Dinkop")
        verified_at = timezone.now()
        spec = [
            # village, service, submitted, closed, verified
            (cls.duren, "nib", date(YEAR, 3, 2), date(YEAR, 3, 10), True),
            (cls.duren, "nib", date(YEAR, 3, 2), date(YEAR, 3, 10), False),
            (cls.pancawati, "halal", date(YEAR, 7, 1), date(YEAR, 7, 30), True),  # 21 days
            (cls.pancawati, "halal", date(YEAR, 7, 1), date(YEAR, 7, 31), False),  # 22 days
            (cls.payungsari, "halal", date(YEAR, 8, 14), date(YEAR, 9, 16), False),  # 21 days
        ]
        for i, (village, code, submitted, closed, verified) in enumerate(spec):
            make_case(
                make_business(village, f"Usaha {i}", owner_nik=""),
                code,
                status=Status.DONE,
                opened_on=submitted - timedelta(days=30),
                submitted_on=submitted,
                closed_on=closed,
                outcome_verified_by=reviewer if verified else None,
                outcome_verified_at=verified_at if verified else None,
            )

    def rows(self, user, area=None) -> dict[str, tuple[int, int]]:
        rows = figures.service_rows(user, parse_period(str(YEAR)), area or Area())
        return {row.service.code: (row.done, row.verified) for row in rows if row.reviewed}

    def test_done_and_verified_side_by_side(self):
        self.assertEqual(self.rows(self.staff), {"nib": (2, 1), "pirt": (0, 0), "halal": (3, 1)})
        self.assertEqual(
            self.rows(self.staff, Area(district=self.klari)),
            {"nib": (2, 1), "pirt": (0, 0), "halal": (2, 1)},
        )
        self.assertEqual(self.rows(self.mentor.user)["nib"], (2, 1))
        self.assertEqual(
            Case.objects.filter(status="done", outcome_verified_at__isnull=False).count(), 2
        )

    def test_halal_cases_within_21_working_days(self):
        standard = figures.halal_standard(self.staff, parse_period(str(YEAR)), Area())
        # 17 and 25 August are holidays on weekdays: 14 Aug → 16 Sep is 21 working days (23
        # weekdays).
        self.assertEqual((standard.done, standard.within), (3, 2))
        self.assertAlmostEqual(standard.share, 200 / 3)
        klari = figures.halal_standard(
            self.staff, parse_period(str(YEAR)), Area(district=self.klari)
        )
        self.assertEqual((klari.done, klari.within), (2, 1))

    def test_the_dashboard_shows_verified_outcomes_and_the_standard(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("reports:dashboard"), {"periode": str(YEAR)})
        self.assertContains(response, 'id="verified-outcomes"')
        self.assertContains(response, "Terverifikasi")
        self.assertContains(response, "(2 dari 3)")
        result = response.context["figures"]
        self.assertEqual(
            {row.service.code for row in result.reviewed_services}, {"nib", "pirt", "halal"}
        )

    def test_the_pdf_shows_verified_outcomes_and_the_standard(self):
        result = figures.compute(self.staff, parse_period(str(YEAR)), Area(), full=True)
        text = pdf_text(render_pdf(result)[0])
        self.assertIn("Hasil terverifikasi", text)
        nib = Service.objects.get(code="nib").name
        self.assertIn(f"{nib} 2 1 1", text)  # done, verified, awaiting review
        self.assertIn("Selesai dalam standar: 2 dari 3 kasus halal (66,7%)", text)

    def test_the_case_page_shows_the_working_days_of_a_halal_case(self):
        case = Case.objects.get(business__name="Usaha 3")
        self.client.force_login(self.staff)
        page = self.client.get(case.get_absolute_url())
        self.assertContains(page, "22 hari kerja sejak diajukan")
        self.assertContains(page, "Lewat standar")
        on_time = Case.objects.get(business__name="Usaha 4")
        page = self.client.get(on_time.get_absolute_url())
        self.assertContains(page, "21 hari kerja sejak diajukan")
        self.assertNotContains(page, "Lewat standar")
