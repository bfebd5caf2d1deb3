"""Working offline, the server's side: idempotent posts, the manifest and service worker, which
pages a phone may keep, and logging out clearing the device."""

import importlib
import json
import re
import shutil
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings, skipUnlessDBFeature
from django.urls import reverse
from django.utils import timezone

from assistance.models import Case, CaseEvent, Visit, VisitPhoto
from core import idempotency, schedule
from core.models import IdempotentRequest

from .base import PersonaTestCase, make_mentor
from .test_assistance import PNG, make_case, upload
from .test_businesses import make_business

KEY = "5f0c3a52-8d1e-4c43-9a51-2f7d0f3b9e11"


class IdempotencyTests(PersonaTestCase):
    def setUp(self) -> None:
        self.case = make_case(make_business(self.duren), mentor=self.mentor)
        self.client.force_login(self.mentor.user)

    def note(self, text: str = "Label sudah dicetak", key: str = KEY):
        url = reverse("assistance:note", args=[self.case.pk])
        return self.client.post(url, {"text": text}, HTTP_IDEMPOTENCY_KEY=key)

    def notes(self) -> int:
        return CaseEvent.objects.filter(case=self.case, kind=CaseEvent.Kind.NOTE).count()

    def test_a_keyed_post_refused_to_an_outsider_or_a_reader_keeps_no_key(self):
        for user, status in ((self.other_mentor.user, 404), (self.camat, 403)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.note().status_code, status)
                self.assertFalse(IdempotentRequest.objects.exists())
        self.client.force_login(self.mentor.user)
        self.assertEqual(self.note().status_code, 302)
        self.assertEqual(self.notes(), 1)

    def test_a_note_posted_twice_with_one_key_is_stored_once_and_answered_alike(self):
        first = self.note()
        second = self.note()
        self.assertEqual(self.notes(), 1)
        self.assertEqual((second.status_code, second["Location"]), (302, first["Location"]))
        self.assertEqual(second["Idempotent-Replayed"], "true")
        self.assertNotIn("Idempotent-Replayed", first)

    def test_an_htmx_note_repeated_is_not_added_again_and_reloads_the_page(self):
        url = reverse("assistance:note", args=[self.case.pk])
        headers = {"HTTP_IDEMPOTENCY_KEY": KEY, "HTTP_HX_REQUEST": "true"}
        first = self.client.post(url, {"text": "Foto produk"}, **headers)
        second = self.client.post(url, {"text": "Foto produk"}, **headers)
        self.assertContains(first, "Catatan ditambahkan.")
        self.assertEqual(self.notes(), 1)
        self.assertEqual((second.status_code, second["HX-Refresh"]), (200, "true"))
        # No page is kept with the key: it would hold personal data beyond erasure's reach.
        self.assertEqual(second.content, b"")

    def test_a_step_move_repeated_with_its_key_moves_once_instead_of_conflicting(self):
        url = reverse("assistance:step", args=[self.case.pk])
        data = {"version": self.case.version, "step": self.case.steps[0].pk, "note": ""}
        first = self.client.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY)
        again = self.client.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY)
        self.assertEqual((first.status_code, again.status_code), (302, 302))
        self.assertEqual(CaseEvent.objects.filter(case=self.case, kind="step").count(), 1)
        self.case.refresh_from_db()
        self.assertEqual(self.case.version, 2)
        # The same stale move without the key (a new item) is a conflict, as online.
        self.assertEqual(self.client.post(url, data).status_code, 409)

    @override_settings(PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-offline-test")
    def test_a_visit_with_a_photo_sent_twice_is_one_visit_with_one_photo(self):
        self.addCleanup(shutil.rmtree, settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)
        url = reverse("assistance:visit_create")
        for _ in range(2):
            data = {
                "village": self.duren.pk,
                "date": timezone.localdate().isoformat(),
                "activities": "Memotret produk",
                "photos": upload("foto.png", PNG, "image/png"),
            }
            response = self.client.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY)
            self.assertEqual(response.status_code, 302)
        self.assertEqual(Visit.objects.count(), 1)
        self.assertEqual(VisitPhoto.objects.count(), 1)

    @override_settings(PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-offline-test")
    def test_a_visit_sent_by_the_page_script_answers_with_a_client_redirect_also_when_repeated(
        self,
    ):
        """The script goes to the village page itself, so the "saved" message is shown there."""
        self.addCleanup(shutil.rmtree, settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)
        url = reverse("assistance:visit_create")
        answers = []
        for _ in range(2):
            data = {
                "village": self.duren.pk,
                "date": timezone.localdate().isoformat(),
                "activities": "Memotret produk",
                "photos": upload("foto.png", PNG, "image/png"),
            }
            answer = self.client.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY, HTTP_HX_REQUEST="true")
            answers.append((answer.status_code, answer["HX-Redirect"]))
        village = self.duren.get_absolute_url()
        self.assertEqual(answers, [(200, village), (200, village)])
        self.assertEqual(Visit.objects.count(), 1)
        page = self.client.get(village)
        self.assertContains(page, "dicatat")

    def test_two_users_with_the_same_key_each_have_their_action(self):
        self.note("Dari pendamping")
        self.client.force_login(self.staff)
        self.note("Dari dinas")
        self.assertEqual(self.notes(), 2)
        self.assertEqual(IdempotentRequest.objects.filter(key=KEY).count(), 2)

    def test_a_refused_post_keeps_its_key_free_for_a_retry(self):
        self.assertEqual(self.note(text="  ").status_code, 400)
        self.assertFalse(IdempotentRequest.objects.exists())
        self.assertEqual(self.note().status_code, 302)
        self.assertEqual(self.notes(), 1)

    def test_a_malformed_or_overlong_key_is_refused_and_nothing_is_applied(self):
        for key in ("a" * 65, "dua kata", "<script>", ""):
            with self.subTest(key=key):
                self.assertEqual(self.note(key=key).status_code, 400)
        self.assertEqual(self.notes(), 0)
        self.assertEqual(self.note(key="a" * 64).status_code, 302)

    def test_a_key_used_for_another_request_is_refused(self):
        self.note()
        other = make_case(make_business(self.duren, name="Opak"), mentor=self.mentor)
        url = reverse("assistance:note", args=[other.pk])
        response = self.client.post(url, {"text": "x"}, HTTP_IDEMPOTENCY_KEY=KEY)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(other.events.filter(kind=CaseEvent.Kind.NOTE).exists())

    def test_a_concurrent_repeat_that_loses_the_insert_answers_with_the_first_result(self):
        self.note()
        # The repeat looked before the first committed (found nothing), then its insert of the
        # same key fails on the unique constraint: it answers with the stored result.
        real = idempotency._stored
        looks = []

        def looked_too_early(request, key):
            looks.append(key)
            return None if len(looks) == 1 else real(request, key)

        with mock.patch.object(idempotency, "_stored", looked_too_early):
            second = self.note()
        self.assertEqual(len(looks), 2)
        self.assertEqual(self.notes(), 1)
        self.assertEqual(second["Idempotent-Replayed"], "true")

    def test_posts_without_the_header_are_untouched(self):
        url = reverse("assistance:note", args=[self.case.pk])
        self.client.post(url, {"text": "satu"})
        self.client.post(url, {"text": "satu"})
        self.assertEqual(self.notes(), 2)
        self.assertFalse(IdempotentRequest.objects.exists())

    def test_keys_older_than_thirty_days_are_pruned_daily(self):
        self.note()
        IdempotentRequest.objects.create(
            user=self.mentor.user,
            key="lama",
            path="/",
            status=302,
            created_at=timezone.now() - timedelta(days=31),
        )
        self.assertEqual(idempotency.prune_idempotency_keys.call(), 1)
        self.assertEqual(list(IdempotentRequest.objects.values_list("key", flat=True)), [KEY])
        names = {entry.name: entry.task for entry in schedule.registered()}
        self.assertIs(names["core.prune_idempotency"], idempotency.prune_idempotency_keys)


@skipUnlessDBFeature("has_select_for_update")  # PostgreSQL: truly concurrent transactions
class ConcurrentRepeatTests(TransactionTestCase):
    def test_a_repeat_sent_while_the_first_is_running_does_not_apply_twice(self):
        from villages.models import District, Province, Regency, Village

        importlib.import_module("assistance.migrations.0003_services_and_steps").seed(
            django_apps, None
        )
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KAB. KARAWANG")
        district = District.objects.create(code="32.15.10", regency=regency, name="Pedes")
        village = Village.objects.create(code="32.15.10.2001", district=district, name="Desa")
        mentor = make_mentor("rizki", village)
        case = make_case(make_business(village), mentor=mentor)
        url = reverse("assistance:note", args=[case.pk])
        slow_note = Case.add_note

        def add_note_slowly(*args, **kwargs):
            time.sleep(0.5)  # the first is still running when the repeat arrives
            return slow_note(*args, **kwargs)

        answers = []

        def post() -> None:
            client = Client()
            client.force_login(mentor.user)
            answers.append(client.post(url, {"text": "Sekali"}, HTTP_IDEMPOTENCY_KEY=KEY))
            connection.close()

        with mock.patch.object(Case, "add_note", add_note_slowly):
            threads = [threading.Thread(target=post) for _ in range(2)]
            for thread in threads:
                thread.start()
                time.sleep(0.1)
            for thread in threads:
                thread.join()
        self.assertEqual(CaseEvent.objects.filter(case=case, kind="note").count(), 1)
        self.assertEqual(sorted(a.status_code for a in answers), [302, 302])
        self.assertEqual(sum(a.has_header("Idempotent-Replayed") for a in answers), 1)


class InstallableAppTests(PersonaTestCase):
    def test_manifest_needs_no_login_and_starts_at_my_tasks(self):
        response = self.client.get("/manifest.webmanifest")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/manifest+json")
        manifest = json.loads(response.content)
        self.assertEqual(manifest["start_url"], reverse("assistance:my_tasks"))
        self.assertEqual(manifest["scope"], "/")
        self.assertEqual(manifest["name"], "Karawang UMKM")
        brand = re.search(r"--brand: (#[0-9a-f]{6})", Path(finders.find("css/app.css")).read_text())
        self.assertEqual(manifest["theme_color"], brand.group(1))
        self.assertEqual([icon["sizes"] for icon in manifest["icons"]], ["192x192", "512x512"])
        for size in (192, 512):
            self.assertTrue(finders.find(f"icons/icon-{size}.png"))

    def test_service_worker_is_served_from_the_root_and_not_cached_long(self):
        response = self.client.get("/sw.js")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/javascript"))
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(response["Service-Worker-Allowed"], "/")
        script = response.content.decode()
        self.assertIn('"/static/js/offline.js"', script)
        self.assertIn('"X-Offline-Cache"', script)

    def test_the_offline_page_needs_no_login_and_holds_no_user(self):
        response = self.client.get(reverse("offline"))
        self.assertContains(response, "Sedang offline")
        self.assertNotContains(response, "offline-queue")

    def test_csp_allows_the_worker_and_manifest_from_the_site_only(self):
        self.client.force_login(self.mentor.user)
        policy = self.client.get(reverse("home"))["Content-Security-Policy"]
        self.assertIn("worker-src 'self'", policy)
        self.assertIn("manifest-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)

    def test_mentor_pages_carry_the_manifest_the_script_and_the_queue(self):
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("home"))
        self.assertContains(response, 'rel="manifest"')
        self.assertContains(response, "js/offline.js")
        self.assertContains(response, 'id="offline-queue"')
        self.assertContains(response, "Sedang offline — data per")
        self.client.force_login(self.staff)
        self.assertNotContains(self.client.get(reverse("home")), 'id="offline-queue"')

    def test_the_queueable_forms_are_marked(self):
        case = make_case(make_business(self.duren), mentor=self.mentor)
        self.client.force_login(self.mentor.user)
        page = self.client.get(case.get_absolute_url()).content.decode()
        self.assertEqual(page.count("data-offline-queue="), 2)  # the step move and the note
        visit = self.client.get(reverse("assistance:visit_create"))
        self.assertContains(visit, "data-offline-queue=")


class OfflineCacheTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.case = make_case(self.business, mentor=self.mentor)

    def pages(self) -> list[str]:
        return [
            reverse("home"),
            reverse("assistance:my_tasks"),
            self.case.get_absolute_url(),
            self.business.get_absolute_url(),
        ]

    def marked(self, user, url: str, **headers) -> bool:
        self.client.force_login(user)
        response = self.client.get(url, **headers)
        self.assertEqual(response.status_code, 200)
        return response.get("X-Offline-Cache") == "1"

    def test_a_mentors_own_pages_may_be_kept_on_the_phone(self):
        for url in self.pages():
            with self.subTest(url):
                self.assertTrue(self.marked(self.mentor.user, url))

    def test_pages_of_staff_viewers_and_leaders_are_never_kept(self):
        for user in (self.staff, self.camat, self.leader):
            for url in self.pages():
                with self.subTest(user=user.username, url=url):
                    self.assertFalse(self.marked(user, url))

    def test_other_pages_and_fragments_are_not_kept(self):
        self.assertFalse(self.marked(self.mentor.user, reverse("businesses:list")))
        self.assertFalse(self.marked(self.mentor.user, reverse("home"), HTTP_HX_REQUEST="true"))

    def test_logging_out_clears_the_site_data_on_the_device(self):
        self.client.force_login(self.mentor.user)
        response = self.client.post(reverse("logout"))
        self.assertEqual(response["Clear-Site-Data"], '"cache", "storage"')
