"""Facilitation cases: transitions, steps, outcomes, timeline, documents, conflicts, scoping."""

from datetime import date, timedelta
from io import BytesIO
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assistance.models import (
    TRANSITIONS,
    Case,
    CaseDocument,
    CaseEvent,
    IllegalMove,
    Service,
    Status,
)

from .base import PersonaTestCase
from .test_businesses import make_business

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return out.getvalue()


PNG = png_bytes()


def make_case(business, code="halal", **fields) -> Case:
    return Case.objects.create(business=business, service=Service.objects.get(code=code), **fields)


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class CaseRuleTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)

    def put_in(self, case: Case, status: str) -> Case:
        case.status = status
        case.save()
        return case

    def test_every_legal_transition_succeeds_and_is_logged(self):
        service = Service.objects.get(code="kemasan")  # no outcome number required
        for source, targets in TRANSITIONS.items():
            for target in targets:
                with self.subTest(f"{source} -> {target}"):
                    Case.objects.all().delete()
                    case = self.put_in(
                        Case.objects.create(business=self.business, service=service), source
                    )
                    event = case.move_to(target, by=self.staff, reason="alasan")
                    self.assertEqual(case.status, target)
                    self.assertEqual((event.from_status, event.to_status), (source, target))
                    self.assertEqual(event.by, self.staff)

    def test_every_illegal_transition_is_refused(self):
        service = Service.objects.get(code="kemasan")
        for source in Status:
            for target in set(Status) - TRANSITIONS[source]:
                with self.subTest(f"{source} -> {target}"):
                    Case.objects.all().delete()
                    case = self.put_in(
                        Case.objects.create(business=self.business, service=service), source
                    )
                    with self.assertRaises(IllegalMove):
                        case.move_to(target, by=self.staff, reason="alasan")
                    self.assertEqual(case.status, source)
        self.assertIn(Status.DONE, TRANSITIONS[Status.SUBMITTED])
        self.assertEqual(TRANSITIONS[Status.DONE], set())

    def test_rejecting_or_cancelling_needs_a_reason(self):
        case = self.put_in(make_case(self.business), Status.SUBMITTED)
        with self.assertRaisesMessage(IllegalMove, "alasan"):
            case.move_to(Status.REJECTED, by=self.staff, reason="  ")

    def test_steps_go_forward_one_at_a_time_and_may_go_back(self):
        case = make_case(self.business)
        first, second, third = case.steps[:3]
        with self.assertRaisesMessage(IllegalMove, "dilompati"):
            case.move_to_step(second, by=self.staff)
        case.move_to_step(first, by=self.staff)
        self.assertEqual(case.status, Status.IN_PROGRESS)
        case.move_to_step(second, by=self.staff)
        case.move_to_step(first, by=self.staff)  # a correction
        self.assertEqual(case.step, first)
        with self.assertRaisesMessage(IllegalMove, "sudah berada"):
            case.move_to_step(first, by=self.staff)
        other = Service.objects.get(code="nib").steps.first()
        with self.assertRaisesMessage(IllegalMove, "bukan milik"):
            case.move_to_step(other, by=self.staff)
        self.put_in(case, Status.SUBMITTED)
        with self.assertRaises(IllegalMove):
            case.move_to_step(second, by=self.staff)
        del third

    def test_closing_nib_pirt_and_halal_writes_the_number_onto_the_business(self):
        expected = {
            "nib": ("1234567890123", date(2026, 5, 2), None, ("nib_number", "nib_date")),
            "pirt": (
                "2061215010231-31",
                date(2026, 5, 2),
                date(2031, 5, 1),
                ("pirt_number", "pirt_expiry"),
            ),
            "halal": (
                "ID32110000123450526",
                date(2026, 5, 2),
                None,
                ("halal_number", "halal_date"),
            ),
        }
        for code, (number, issued, expiry, (number_field, date_field)) in expected.items():
            with self.subTest(code):
                case = self.put_in(make_case(self.business, code), Status.SUBMITTED)
                with self.assertRaisesMessage(IllegalMove, "Isi nomor"):
                    case.move_to(Status.DONE, by=self.staff)
                case.move_to(
                    Status.DONE,
                    by=self.staff,
                    outcome={"number": number, "date": issued, "expiry": expiry},
                )
                case.save()
                self.business.refresh_from_db()
                self.assertEqual(getattr(self.business, number_field), number)
                self.assertEqual(getattr(self.business, date_field), expiry or issued)
                self.assertEqual(case.progress, 100)


class CaseViewTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.case = make_case(self.business, mentor=self.mentor)

    def post(self, name: str, data: dict, user=None, htmx: bool = True):
        self.client.force_login(user or self.mentor.user)
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(
            reverse(f"assistance:{name}", args=[self.case.pk]), data, headers=headers
        )

    def test_mentor_opens_a_case_from_the_business_page(self):
        self.case.delete()
        self.client.force_login(self.mentor.user)
        url = reverse("assistance:create", args=[self.business.pk])
        response = self.client.post(
            url,
            {
                "service": Service.objects.get(code="nib").pk,
                "mentor": self.mentor.pk,
                "opened_on": "2026-11-02",
                "note": "Sudah punya akun email",
            },
        )
        case = Case.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        event = case.events.get()
        self.assertEqual(
            (event.kind, event.by, event.text),
            ("created", self.mentor.user, "Sudah punya akun email"),
        )

    def test_second_case_for_the_same_service_is_refused(self):
        self.client.force_login(self.mentor.user)
        url = reverse("assistance:create", args=[self.business.pk])
        response = self.client.post(
            url, {"service": self.case.service.pk, "opened_on": "2026-11-02"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Case.objects.count(), 1)

    def test_step_move_answers_with_the_updated_fragment_and_timeline(self):
        first = self.case.steps[0]
        response = self.post(
            "step", {"step": first.pk, "note": "Akun dibuat di HP", "version": self.case.version}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.decode().lstrip().startswith('<div id="work">'))
        self.assertContains(response, "Akun dibuat di HP")
        self.case.refresh_from_db()
        self.assertEqual((self.case.step, self.case.status), (first, Status.IN_PROGRESS))
        event = self.case.events.latest("at")
        self.assertEqual((event.kind, event.step, event.by), ("step", first, self.mentor.user))
        self.assertEqual(self.case.history.latest().history_user, self.mentor.user)

    def test_plain_post_redirects_back_to_the_case(self):
        response = self.post("note", {"text": "Telepon pemilik"}, htmx=False)
        self.assertRedirects(response, self.case.get_absolute_url())

    def test_illegal_move_is_refused_with_a_message(self):
        response = self.post("status", {"status": "done", "version": self.case.version})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Masukkan pilihan yang valid", status_code=400)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Status.OPEN)
        skip = self.case.steps[3]
        response = self.post("step", {"step": skip.pk, "version": self.case.version})
        self.assertContains(response, "dilompati", status_code=400)

    def test_concurrent_change_is_a_conflict_not_an_overwrite(self):
        opened = self.case.version
        first, second = self.case.steps[:2]
        self.assertEqual(
            self.post("step", {"step": first.pk, "version": opened}, user=self.staff).status_code,
            200,
        )
        response = self.post(
            "status", {"status": "cancelled", "reason": "tidak jadi", "version": opened}
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "baru saja diubah orang lain", status_code=409)
        self.assertContains(response, first.name, status_code=409)
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.step), (Status.IN_PROGRESS, first))
        self.assertEqual(self.case.events.filter(kind="status").count(), 0)
        del second

    def test_a_stale_move_is_a_conflict_even_when_the_new_state_would_refuse_it(self):
        """Two people on the same page both move to the next step: the second one learns that
        someone was first (409), not that steps may not be skipped (400)."""
        opened = self.case.version
        first, second = self.case.steps[:2]
        self.post("step", {"step": first.pk, "version": opened}, user=self.staff)
        self.post("step", {"step": second.pk, "version": opened + 1}, user=self.staff)
        response = self.post("step", {"step": first.pk, "version": opened})
        self.assertContains(response, "baru saja diubah orang lain", status_code=409)
        self.case.refresh_from_db()
        self.assertEqual((self.case.step, self.case.version), (second, opened + 2))
        self.assertEqual(self.case.events.filter(kind="step").count(), 2)

    def test_the_result_of_an_action_shows_under_the_form_that_acted(self):
        """On a phone the user's thumb is at the button: the message comes right after it."""
        for name, data, form_id, message in (
            ("note", {"text": "Telepon pemilik"}, "note-form", "Catatan ditambahkan."),
            ("step", {"step": self.case.steps[0].pk}, "step-form", "Tersimpan."),
        ):
            with self.subTest(name):
                self.case.refresh_from_db()
                html = self.post(name, data | {"version": self.case.version}).content.decode()
                form = html[html.index(f'id="{form_id}"') :]
                form = form[: form.index("</form>")]
                self.assertIn(message, form)
                self.assertEqual(html.count(message), 1)

    def test_the_timeline_follows_the_note_form_before_the_documents(self):
        self.post("note", {"text": "Telepon pemilik"})
        html = self.post("note", {"text": "Kirim foto KTP"}).content.decode()
        order = [html.index(s) for s in ('id="note-form"', "Kirim foto KTP", 'id="dokumen"')]
        self.assertEqual(order, sorted(order))

    def test_notes_never_conflict(self):
        self.post(
            "step", {"step": self.case.steps[0].pk, "version": self.case.version}, user=self.staff
        )
        response = self.post("note", {"text": "Catatan dari lapangan"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.case.events.filter(kind="note").get().text, "Catatan dari lapangan")


@override_settings(PRIVATE_MEDIA_ROOT=settings.BASE_DIR / "private-media-test")
class DocumentTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.case = make_case(self.business, mentor=self.mentor)
        self.url = reverse("assistance:upload", args=[self.case.pk])
        self.client.force_login(self.mentor.user)

    def tearDown(self) -> None:
        for document in CaseDocument.objects.all():
            document.file.delete(save=False)

    def test_pdf_and_png_are_accepted_checked_by_content_and_logged(self):
        self.client.post(self.url, {"file": upload("sertifikat.pdf", PDF), "kind": "sertifikat"})
        self.client.post(
            self.url, {"file": upload("label", PNG, "application/octet-stream"), "kind": "label"}
        )
        documents = CaseDocument.objects.order_by("pk")
        self.assertEqual([d.content_type for d in documents], ["application/pdf", "image/png"])
        self.assertEqual(self.case.events.filter(kind="document").count(), 2)
        self.assertFalse(str(documents[0].file.path).startswith(str(settings.MEDIA_ROOT)))

    def test_wrong_content_is_refused_whatever_its_name(self):
        response = self.client.post(
            self.url, {"file": upload("surat.pdf", b"MZ\x90\x00 exe"), "kind": "lainnya"}
        )
        self.assertContains(response, "bukan PDF, JPEG, atau PNG", status_code=400)
        self.assertFalse(CaseDocument.objects.exists())

    def test_files_over_5_mb_are_refused(self):
        big = PDF + b"0" * (5 * 1024 * 1024)
        response = self.client.post(self.url, {"file": upload("besar.pdf", big), "kind": "foto"})
        self.assertContains(response, "paling besar 5 MB", status_code=400)
        self.assertFalse(CaseDocument.objects.exists())

    def test_download_only_for_those_who_may_see_the_case(self):
        self.client.post(self.url, {"file": upload("sertifikat.pdf", PDF), "kind": "sertifikat"})
        url = CaseDocument.objects.get().get_absolute_url()
        response = self.client.get(url)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        for user in (self.other_mentor.user, self.outsider, self.expired_mentor.user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)


class CaseAccessTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.case = make_case(self.business, mentor=self.mentor)

    def writes(self) -> dict[str, tuple[str, dict]]:
        v = self.case.version
        return {
            "step": (
                reverse("assistance:step", args=[self.case.pk]),
                {"step": self.case.steps[0].pk, "version": v},
            ),
            "status": (
                reverse("assistance:status", args=[self.case.pk]),
                {"status": "cancelled", "reason": "x", "version": v},
            ),
            "note": (reverse("assistance:note", args=[self.case.pk]), {"text": "x"}),
            "upload": (
                reverse("assistance:upload", args=[self.case.pk]),
                {"file": upload("a.pdf", PDF), "kind": "foto"},
            ),
            "create": (
                reverse("assistance:create", args=[self.business.pk]),
                {"service": Service.objects.get(code="nib").pk, "opened_on": "2026-11-01"},
            ),
        }

    def test_outsiders_get_404_on_every_case_page_and_action(self):
        detail = reverse("assistance:detail", args=[self.case.pk])
        for user in (self.other_mentor.user, self.expired_mentor.user, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(detail).status_code, 404)
            for name, (url, data) in self.writes().items():
                with self.subTest(user=user.username, action=name):
                    self.assertEqual(self.client.post(url, data).status_code, 404)

    def test_read_only_users_get_403_on_every_write(self):
        for user in (self.camat, self.leader):
            self.client.force_login(user)
            self.assertEqual(
                self.client.get(reverse("assistance:detail", args=[self.case.pk])).status_code,
                200,
            )
            for name, (url, data) in self.writes().items():
                with self.subTest(user=user.username, action=name):
                    self.assertEqual(self.client.post(url, data).status_code, 403)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Status.OPEN)
        self.assertFalse(CaseEvent.objects.exists())

    def test_lists_show_only_cases_in_the_users_area(self):
        make_case(make_business(self.payungsari, "Terasi Pedes", owner_nik=""), "nib")
        for url in (
            reverse("assistance:list"),
            reverse("assistance:my_tasks"),
            reverse("assistance:board", args=["halal"]),
        ):
            with self.subTest(url):
                self.client.force_login(self.mentor.user)
                response = self.client.get(url)
                self.assertNotContains(response, "Terasi Pedes")
                self.client.force_login(self.outsider)
                self.assertNotContains(self.client.get(url), "Keripik Bu Iis")


class CaseListTests(PersonaTestCase):
    def test_filters(self):
        a = make_case(make_business(self.duren, "A"), "halal", mentor=self.mentor)
        make_case(make_business(self.duren, "B", owner_nik=""), "nib", status="submitted")
        c = make_case(
            make_business(self.payungsari, "C", owner_nik=""), "nib", mentor=self.other_mentor
        )
        Case.objects.filter(pk=c.pk).update(last_activity_at=timezone.now() - timedelta(days=20))
        a.step = a.steps[0]
        a.save()
        self.client.force_login(self.staff)
        url = reverse("assistance:list")
        cases = [
            ({"layanan": "nib"}, {"B", "C"}),
            ({"status": "submitted"}, {"B"}),
            ({"status": "aktif"}, {"A", "B", "C"}),
            ({"tahap": a.steps[0].pk}, {"A"}),
            ({"kecamatan": "32.15.10"}, {"C"}),
            ({"desa": "32.15.05.2001"}, {"A", "B"}),
            ({"mentor": self.other_mentor.pk}, {"C"}),
            ({"macet": "on"}, {"C"}),
            ({"q": "b"}, {"B"}),
        ]
        for params, expected in cases:
            with self.subTest(params):
                page = self.client.get(url, params).context["page"]
                self.assertEqual({case.business.name for case in page.object_list}, expected)

    def test_bad_filter_values_are_refused_next_to_their_field(self):
        """An unknown service, a step that is not a number or does not exist: the list answers
        with the field's error and the unfiltered rows, never a server error."""
        case = make_case(make_business(self.duren, "A"), "halal")
        self.client.force_login(self.staff)
        for params, field in (
            ({"layanan": "tidak-ada"}, "layanan"),
            ({"tahap": "abc"}, "tahap"),
            ({"tahap": "999999"}, "tahap"),
        ):
            with self.subTest(params):
                response = self.client.get(reverse("assistance:list"), params)
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
                self.assertEqual(list(response.context["page"].object_list), [case])

    def test_my_tasks_lists_open_cases_longest_idle_first_and_flags_stalled(self):
        now = timezone.now()
        for name, days, status in (
            ("Baru", 1, "in_progress"),
            ("Lama", 20, "open"),
            ("Selesai", 40, "done"),
        ):
            case = make_case(
                make_business(self.duren, name, owner_nik=""), "kemasan", status=status
            )
            Case.objects.filter(pk=case.pk).update(last_activity_at=now - timedelta(days=days))
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("assistance:my_tasks"))
        names = [case.business.name for case in response.context["page"].object_list]
        self.assertEqual(names, ["Lama", "Baru"])
        self.assertContains(response, 'class="stalled"', count=1)
        self.assertContains(response, "Macet")

    def test_a_board_shows_each_columns_newest_cases_and_exact_counts(self):
        """A mentor's or camat's board (one query with window functions) and a regency-wide
        board (one query per column) show the same columns for the same cases."""
        now = timezone.now()
        made = []
        for i, status in enumerate(["open"] * 3 + ["submitted"] * 2 + ["done"]):
            case = make_case(
                make_business(self.duren, f"D{i}", owner_nik=""), "halal", status=status
            )
            Case.objects.filter(pk=case.pk).update(last_activity_at=now - timedelta(hours=i))
            made.append(case)
        elsewhere = make_case(make_business(self.payungsari, "Lain", owner_nik=""), "halal")
        Case.objects.filter(pk=elsewhere.pk).update(last_activity_at=now - timedelta(days=9))
        url = reverse("assistance:board", args=["halal"])
        expected = {
            "open": (["D0", "D1"], 3),
            "submitted": (["D3", "D4"], 2),
            "done": (["D5"], 1),
            "in_progress": ([], 0),
        }
        for user in (self.mentor.user, self.camat, self.staff):
            with (
                self.subTest(user=user.username),
                mock.patch("assistance.views.BOARD_COLUMN_LIMIT", 2),
            ):
                self.client.force_login(user)
                columns = {c["status"].value: c for c in self.client.get(url).context["columns"]}
                for status, (names, count) in expected.items():
                    column = columns[status]
                    self.assertEqual([case.business.name for case in column["cases"]], names)
                    # Regency-wide staff also count the older case in Payungsari.
                    shown = count + (1 if user == self.staff and status == "open" else 0)
                    self.assertEqual(column["count"].value, shown)
                    self.assertFalse(column["count"].capped)

    def test_pages_run_a_constant_number_of_queries(self):
        for user in (self.staff, self.mentor.user, self.camat):
            with self.subTest(user=user.username):
                self._assert_constant_queries(user)

    def _assert_constant_queries(self, user):
        Case.objects.all().delete()  # each role starts from an empty list
        self.client.force_login(user)
        urls = [
            reverse("assistance:list"),
            reverse("assistance:my_tasks"),
            reverse("assistance:board", args=["halal"]),
        ]
        counts = {url: [] for url in urls}
        for n in (2, 15):
            for i in range(n):
                make_case(
                    make_business(self.duren, f"U{user.pk}-{n}-{i}", owner_nik=""),
                    "halal",
                    mentor=self.mentor,
                    step=Service.objects.get(code="halal").steps.first(),
                )
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts[url].append(len(queries))
        for url, (small, large) in counts.items():
            self.assertEqual(small, large, url)

    def test_case_detail_runs_a_constant_number_of_queries(self):
        case = make_case(make_business(self.duren), "halal", mentor=self.mentor)
        url = case.get_absolute_url()
        self.client.force_login(self.mentor.user)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for step in case.steps[:5]:
            case.move_to_step(step, by=self.mentor.user).save()
            case.add_note("catatan", by=self.mentor.user).save()
        case.save()
        with CaptureQueriesContext(connection) as after:
            self.client.get(url)
        self.assertEqual(len(before), len(after))
