"""Personal data under UU 27/2022: the office's page that finds everything stored under a NIK,
the data subject's PDF, erasure, and the record of every showing of a whole NIK."""

import io
import logging
import re
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assistance.models import Case, Visit
from businesses.models import Business, NikAccess
from businesses.validators import mask_nik
from core import schedule
from reports.models import Erasure, PersonalDataExport
from reports.personal_data import ERASED_NAME, prune_exports
from villages import roles

from .base import PersonaTestCase, make_user
from .test_assistance import make_case
from .test_businesses import NIK_MAN, NIK_WOMAN, make_business

NIK = "3215014107850002"  # the data subject: Klari, a woman born 1 July 1985
UNKNOWN_NIK = "3215051203850009"  # valid, stored nowhere
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PRIVATE = Path(tempfile.gettempdir()) / "karawang-personal-data-tests"
PAGE = "reports:personal_data"


class LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class PersonalDataCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.officer = make_user("petugas_pdp", roles.ADMINISTRATOR)
        cls.other_officer = make_user("petugas_lain", roles.ADMINISTRATOR)
        cls.kerupuk = make_business(
            cls.duren,
            "Kerupuk Bu Siti",
            owner_name="Siti Aminah",
            owner_nik=NIK,
            phone="081234567001",
            address="Kp. Duren RT 02",
        )
        cls.kerupuk.address = "Kp. Duren RT 03"  # a second history row
        cls.kerupuk.save()
        cls.batik = make_business(
            cls.payungsari, "Batik Siti", owner_name="Siti Aminah", owner_nik=NIK
        )
        cls.neighbour = make_business(
            cls.duren, "Opak Mang Ujang", owner_name="Ujang", owner_nik=NIK_MAN, owner_gender="L"
        )
        cls.case = make_case(cls.kerupuk, "nib")
        note = cls.case.add_note("Berkas KTP sudah difotokopi", by=cls.staff)
        note.save()
        visit = Visit.objects.create(
            mentor=cls.mentor, village=cls.duren, activities="Foto produk untuk katalog"
        )
        visit.businesses.add(cls.kerupuk)

    def find(self, nik: str, user=None):
        self.client.force_login(user or self.officer)
        return self.client.post(reverse(PAGE), {"nik": nik})

    def erase(self, **data):
        self.client.force_login(self.officer)
        fields = {"nik": NIK, "confirm_nik": NIK, "reason": "Permohonan subjek data no. 12/2026"}
        return self.client.post(reverse("reports:personal_data_erase"), fields | data)


class AccessTests(PersonalDataCase):
    def test_only_the_administrator_role_holds_the_permission(self):
        holders = Group.objects.filter(
            permissions__codename="manage_personal_data",
            permissions__content_type__app_label="reports",
        )
        self.assertEqual(list(holders.values_list("name", flat=True)), [roles.ADMINISTRATOR])

    def test_only_holders_of_the_permission_reach_any_personal_data_view(self):
        export = PersonalDataExport.objects.create(requested_by=self.staff)
        erasure = Erasure.objects.create(erased_by=self.officer, reason="uji")
        requests = [
            ("get", reverse(PAGE)),
            ("post", reverse(PAGE)),
            ("post", reverse("reports:personal_data_export_create")),
            ("post", reverse("reports:personal_data_erase")),
            ("get", reverse("reports:personal_data_export", args=[export.pk])),
            ("get", reverse("reports:personal_data_export_download", args=[export.pk])),
            ("get", reverse("reports:erasure", args=[erasure.pk])),
        ]
        data = {"nik": NIK, "confirm_nik": NIK, "reason": "Permohonan subjek data"}
        for method, url in requests:
            self.client.logout()
            with self.subTest(url, method=method, user="anonymous"):
                response = getattr(self.client, method)(url, data)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response.url)
            for user in (self.staff, self.mentor.user, self.camat, self.leader, self.outsider):
                self.client.force_login(user)
                with self.subTest(url, method=method, user=user.username):
                    self.assertEqual(getattr(self.client, method)(url, data).status_code, 403)
        self.assertEqual(Business.objects.filter(owner_nik=NIK).count(), 2)
        self.assertFalse(NikAccess.objects.filter(where="personal_data").exists())

    def test_the_officer_sees_the_form(self):
        self.client.force_login(self.officer)
        response = self.client.get(reverse(PAGE))
        self.assertContains(response, 'name="nik"')
        self.assertNotContains(response, "Kerupuk Bu Siti")


class FindTests(PersonalDataCase):
    def test_a_malformed_nik_is_refused_with_a_field_error(self):
        for bad in ("3.21505E+15", "321501410785000", "32150141078500021", "abc", ""):
            with self.subTest(bad):
                response = self.find(bad)
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.context["form"].errors["nik"])
                self.assertNotContains(response, "Kerupuk Bu Siti", status_code=400)
                self.assertNotContains(response, "Data dengan NIK", status_code=400)

    def test_an_unknown_nik_says_not_found_and_nothing_else(self):
        response = self.find(UNKNOWN_NIK)
        self.assertContains(response, "Data dengan NIK tersebut tidak ditemukan.")
        for revealing in ("Kerupuk", "Batik", "Opak", "Siti", NIK, NIK_MAN, "Usaha ("):
            self.assertNotContains(response, revealing)
        self.assertFalse(NikAccess.objects.exists())

    def test_a_found_nik_lists_businesses_cases_visits_and_history_of_every_area(self):
        response = self.find(NIK.replace("0141", "01 41"))  # spaces as typed from a KTP
        self.assertEqual(response.status_code, 200)
        for shown in (
            "Kerupuk Bu Siti",
            "Batik Siti",  # another kecamatan: an office-level duty
            NIK,
            "Berkas KTP sudah difotokopi",  # the case's timeline
            "Foto produk untuk katalog",  # the visit
            "Kp. Duren RT 03",
        ):
            self.assertContains(response, shown)
        self.assertNotContains(response, "Opak Mang Ujang")
        history = response.context["dossier"].history
        self.assertEqual(len(history), 3)  # two creations and one change of address
        self.assertContains(response, "Kp. Duren RT 02")  # the change, old value
        shown = NikAccess.objects.filter(user=self.officer, where="personal_data")
        self.assertCountEqual(
            shown.values_list("business_id", flat=True), [self.kerupuk.pk, self.batik.pk]
        )

    def test_a_deleted_business_is_found_through_its_history(self):
        gone = make_business(self.duren, "Warung Lama", owner_nik=NIK)
        gone_id = gone.pk
        gone.delete()
        response = self.find(NIK)
        self.assertContains(response, "Warung Lama")
        self.assertIn(gone_id, response.context["dossier"].business_ids)

    def test_the_nik_never_leaves_in_a_url_redirect_session_task_or_log(self):
        from django_tasks_db.models import DBTaskResult

        collector = LogCollector()
        logging.getLogger().addHandler(collector)
        try:
            self.find(NIK)
            with self.captureOnCommitCallbacks(execute=True):
                created = self.client.post(
                    reverse("reports:personal_data_export_create"), {"nik": NIK}
                )
            self.find("3215014107850000")  # malformed: its error is logged as a 400
            erased = self.erase()
        finally:
            logging.getLogger().removeHandler(collector)
        for response in (created, erased):
            self.assertEqual(response.status_code, 302)
            self.assertNotIn(NIK, response.url)
        self.assertNotIn(NIK, str(dict(self.client.session.items())))
        task = DBTaskResult.objects.get()
        self.assertEqual(task.args_kwargs["args"], [PersonalDataExport.objects.get().pk])
        self.assertNotIn(NIK, "\n".join(collector.lines))
        self.assertNotIn(NIK, str(list(Erasure.objects.values())))


@override_settings(TASKS=IMMEDIATE, PRIVATE_MEDIA_ROOT=PRIVATE)
class ExportTests(PersonalDataCase):
    def test_a_business_taken_over_shows_nothing_of_its_previous_owner(self):
        """The opak business passes from Ujang to the data subject: her page and her copy show
        her own values, not Ujang's as the "old" side of a change."""
        opak = Business.objects.get(pk=self.neighbour.pk)
        opak.owner_name, opak.owner_nik, opak.phone = "Siti Aminah", NIK, "081234567001"
        opak.owner_gender = "P"
        opak.save()
        page = self.find(NIK)
        self.assertContains(page, "Opak Mang Ujang")
        for previous in ("Nama pemilik: Ujang", NIK_MAN, mask_nik(NIK_MAN)):
            self.assertNotContains(page, previous)
        with self.settings(TASKS=IMMEDIATE):
            export = self.request_export()
        with export.file.open("rb") as stored:
            text = "".join(p.extract_text() for p in PdfReader(stored).pages)
        self.assertIn("Opak Mang Ujang", text)
        self.assertNotIn(mask_nik(NIK_MAN), text)
        self.assertNotIn(NIK_MAN, text)
        self.assertNotIn("Ujang →", text)

    def request_export(self) -> PersonalDataExport:
        self.client.force_login(self.officer)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("reports:personal_data_export_create"), {"nik": NIK}
            )
        export = PersonalDataExport.objects.get()
        self.assertRedirects(response, export.get_absolute_url(), fetch_redirect_response=False)
        return export

    def test_the_worker_makes_a_pdf_that_only_its_requester_downloads_once(self):
        export = self.request_export()
        self.assertEqual(export.state, PersonalDataExport.State.DONE, export.error)
        self.assertEqual(sorted(export.business_ids), sorted([self.kerupuk.pk, self.batik.pk]))
        detail = reverse("reports:personal_data_export", args=[export.pk])
        download = reverse("reports:personal_data_export_download", args=[export.pk])
        self.assertContains(self.client.get(detail), download)
        self.client.force_login(self.other_officer)  # same permission, not the requester
        self.assertEqual(self.client.get(detail).status_code, 404)
        self.assertEqual(self.client.get(download).status_code, 404)
        self.client.force_login(self.officer)
        before = NikAccess.objects.count()
        response = self.client.get(download)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
        for shown in ("Kerupuk Bu Siti", "Batik Siti", NIK, "Foto produk untuk katalog"):
            self.assertIn(shown, text)
        self.assertNotIn("Opak Mang Ujang", text)
        self.assertEqual(NikAccess.objects.count(), before + 2)
        export.refresh_from_db()
        self.assertEqual((export.state, export.file.name), (PersonalDataExport.State.GONE, ""))
        self.assertEqual(self.client.get(download).status_code, 404)  # once only

    def test_the_task_gets_the_export_id_and_renders_from_ids_alone(self):
        with mock.patch("reports.personal_data.make_export_task") as task:
            self.client.force_login(self.officer)
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(reverse("reports:personal_data_export_create"), {"nik": NIK})
        export = PersonalDataExport.objects.get()
        task.enqueue.assert_called_once_with(export.pk)
        self.assertEqual(export.state, PersonalDataExport.State.QUEUED)
        page = self.client.get(export.get_absolute_url(), headers={"HX-Request": "true"})
        self.assertContains(page, 'hx-trigger="every 2s"')

    def test_an_export_not_downloaded_is_deleted_after_a_day(self):
        export = self.request_export()
        path = Path(export.file.path)
        self.assertTrue(path.exists())
        PersonalDataExport.objects.update(requested_at=timezone.now() - timedelta(hours=25))
        self.assertEqual(prune_exports(), 1)
        export.refresh_from_db()
        self.assertEqual(export.state, PersonalDataExport.State.GONE)
        self.assertFalse(path.exists())

    def test_the_worker_prunes_the_copies_every_hour(self):
        export = self.request_export()
        PersonalDataExport.objects.update(requested_at=timezone.now() - timedelta(hours=25))
        periodic = {entry.name: entry for entry in schedule.registered()}
        entry = periodic["reports.prune_personal_data"]
        self.assertEqual(entry.period, timedelta(hours=1))
        self.assertEqual(entry.task.call(), 1)
        export.refresh_from_db()
        self.assertEqual(export.state, PersonalDataExport.State.GONE)

    def test_erasure_deletes_the_persons_exports(self):
        export = self.request_export()
        path = Path(export.file.path)
        self.erase()
        export.refresh_from_db()
        self.assertEqual(export.state, PersonalDataExport.State.GONE)
        self.assertFalse(path.exists())


class ErasureTests(PersonalDataCase):
    def counts(self) -> dict:
        return {
            "businesses": Business.objects.count(),
            "women": Business.objects.filter(owner_gender="P").count(),
            "food": Business.objects.filter(sector="makanan").count(),
            "cases": Case.objects.count(),
            "visits": Visit.objects.count(),
            "history": Business.history.count(),
        }

    def test_erasure_anonymises_current_and_historical_rows_and_keeps_the_counts(self):
        before = self.counts()
        versions = {b.pk: b.version for b in Business.objects.all()}
        response = self.erase()
        erasure = Erasure.objects.get()
        self.assertRedirects(response, erasure.get_absolute_url(), fetch_redirect_response=False)
        for business in Business.objects.filter(pk__in=[self.kerupuk.pk, self.batik.pk]):
            self.assertEqual(
                (business.owner_nik, business.owner_name, business.phone, business.address),
                ("", ERASED_NAME, "", ""),
            )
            self.assertEqual(business.version, versions[business.pk] + 1)  # stale forms refused
        rows = Business.history.filter(id__in=[self.kerupuk.pk, self.batik.pk])
        self.assertEqual(rows.count(), 3)
        self.assertEqual(
            set(rows.values_list("owner_name", "owner_nik", "phone", "address")),
            {(ERASED_NAME, "", "", "")},
        )
        self.assertFalse(Business.history.filter(owner_nik=NIK).exists())
        self.assertEqual(self.counts(), before)
        neighbour = Business.objects.get(pk=self.neighbour.pk)
        self.assertEqual((neighbour.owner_nik, neighbour.owner_name), (NIK_MAN, "Ujang"))
        self.assertEqual(
            (erasure.erased_by, erasure.businesses, erasure.history_rows),
            (self.officer, 2, 3),
        )
        self.assertEqual(erasure.reason, "Permohonan subjek data no. 12/2026")
        page = self.client.get(erasure.get_absolute_url())
        self.assertContains(page, "Permohonan subjek data no. 12/2026")
        self.assertContains(self.find(NIK), "Data dengan NIK tersebut tidak ditemukan.")

    def test_erasure_takes_the_birth_date_home_address_and_pin_too(self):
        kerupuk = Business.objects.get(pk=self.kerupuk.pk)
        kerupuk.owner_birth_date = date(1985, 3, 12)
        kerupuk.owner_address, kerupuk.owner_rt, kerupuk.owner_rw = "Kp. Duren", "002", "005"
        kerupuk.owner_village = self.duren
        kerupuk.latitude, kerupuk.longitude = Decimal("-6.3051"), Decimal("107.3020")
        kerupuk.save()
        self.erase()
        identifying = ["owner_birth_date", "owner_address", "owner_rt", "owner_rw"]
        identifying += ["owner_village", "latitude", "longitude"]
        for row in [Business.objects.get(pk=kerupuk.pk), *Business.history.filter(id=kerupuk.pk)]:
            with self.subTest(row=row):
                self.assertEqual(
                    [
                        getattr(row, f"{name}_id" if name == "owner_village" else name)
                        for name in identifying
                    ],
                    [None, "", "", "", None, None, None],
                )
        # What the reports count stays.
        self.assertEqual(Business.objects.get(pk=kerupuk.pk).village, self.duren)

    def test_erasure_needs_the_nik_typed_again_and_a_reason(self):
        for data, field in (
            ({"confirm_nik": NIK_WOMAN}, "confirm_nik"),
            ({"confirm_nik": "3.21505E+15"}, "confirm_nik"),
            ({"reason": ""}, "reason"),
            ({"reason": "minta"}, "reason"),
        ):
            with self.subTest(data):
                response = self.erase(**data)
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.context["erasure_form"].errors[field])
        tampered = self.erase(nik="abc", confirm_nik="abc")
        self.assertEqual(tampered.status_code, 400)
        self.assertFalse(Erasure.objects.exists())
        self.assertEqual(Business.objects.filter(owner_nik=NIK).count(), 2)

    def test_erasing_an_unknown_nik_says_not_found(self):
        response = self.erase(nik=UNKNOWN_NIK, confirm_nik=UNKNOWN_NIK)
        self.assertRedirects(response, reverse(PAGE), fetch_redirect_response=False)
        self.assertFalse(Erasure.objects.exists())
        page = self.client.get(reverse(PAGE))
        self.assertContains(page, "Data dengan NIK tersebut tidak ditemukan.")


class NikAccessTests(PersonalDataCase):
    def test_the_detail_page_records_a_whole_nik_shown_and_not_a_masked_one(self):
        for user, recorded in ((self.staff, 1), (self.mentor.user, 0), (self.camat, 0)):
            NikAccess.objects.all().delete()
            self.client.force_login(user)
            with self.subTest(user.username):
                response = self.client.get(self.kerupuk.get_absolute_url())
                self.assertEqual(response.status_code, 200)
                self.assertEqual(NIK in response.content.decode(), bool(recorded))
                rows = NikAccess.objects.filter(business=self.kerupuk, where="detail")
                self.assertEqual(rows.filter(user=user).count(), recorded)

    def test_the_edit_form_and_the_list_export_record_access(self):
        self.client.force_login(self.staff)
        self.client.get(reverse("businesses:edit", args=[self.kerupuk.pk]))
        self.assertTrue(NikAccess.objects.filter(where="form", business=self.kerupuk).exists())
        self.client.get(reverse("businesses:list"), {"ekspor": "csv"})
        exported = NikAccess.objects.filter(where="export", user=self.staff)
        self.assertCountEqual(
            exported.values_list("business_id", flat=True),
            [self.kerupuk.pk, self.batik.pk, self.neighbour.pk],
        )
        NikAccess.objects.all().delete()
        self.client.force_login(self.mentor.user)
        self.client.get(reverse("businesses:list"), {"ekspor": "csv"})
        self.assertFalse(NikAccess.objects.exists())

    def test_the_admin_records_access_and_shows_the_record_read_only(self):
        root = make_user("root", is_staff=True, is_superuser=True)
        self.client.force_login(root)
        change = reverse("admin:businesses_business_change", args=[self.kerupuk.pk])
        self.assertContains(self.client.get(change), NIK)
        self.assertTrue(NikAccess.objects.filter(where="admin", user=root).exists())
        listing = self.client.get(reverse("admin:businesses_nikaccess_changelist"))
        self.assertContains(listing, "Halaman admin")
        self.assertEqual(
            self.client.get(reverse("admin:businesses_nikaccess_add")).status_code, 403
        )
