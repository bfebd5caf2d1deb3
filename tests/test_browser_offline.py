"""A mentor loses the signal and gets it back, in a real browser (Playwright driving Chromium at
360 px): pages kept by the service worker, the offline queue in IndexedDB, sending it exactly
once, conflicts, and logging out leaving nothing behind.

Needs Debian's chromium (see tests/test_browser.py); skipped without it unless REQUIRE_BROWSER.
"""

import importlib
import shutil
import tempfile
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from assistance.models import Case, CaseEvent, Service, Visit, VisitPhoto
from businesses.models import Business
from core.concurrency import save_versioned

from .base import PASSWORD, make_mentor, make_user
from .test_browser import CHROMIUM, HAVE_BROWSER, PHONE, BrowserTestCase

QUEUE = "#offline-queue"
# Resolves once the page's cache holds the kept copy of the current page.
PAGE_KEPT = """async () => {
  const cache = await caches.open("pages");
  return Boolean(await cache.match(location.href, { ignoreVary: true }));
}"""

# The type and size of the first photo waiting in the queue.
WAITING_PHOTO = """async () => {
  const items = await new Promise((resolve) => {
    indexedDB.open("karawang-offline").onsuccess = (event) => {
      const request = event.target.result.transaction("queue").objectStore("queue").getAll();
      request.onsuccess = () => resolve(request.result);
    };
  });
  const photo = items[0].fields.find(([name]) => name === "photos")[1];
  const bitmap = await createImageBitmap(photo);
  return [photo.type, bitmap.width, bitmap.height];
}"""


@pytest.mark.skipif(not HAVE_BROWSER, reason=f"no Chromium at {CHROMIUM}")
@override_settings(
    PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-browser-offline",
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
)
class OfflineMentorTests(BrowserTestCase):
    def setUp(self) -> None:
        from villages import roles
        from villages.models import District, Province, Regency, Village

        seed = importlib.import_module("assistance.migrations.0003_services_and_steps").seed
        seed(django_apps, None)
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KAB. KARAWANG")
        pedes = District.objects.create(code="32.15.10", regency=regency, name="Pedes")
        self.village = Village.objects.create(
            code="32.15.10.2001", district=pedes, name="Payungsari"
        )
        self.mentor = make_mentor("rizki", self.village)
        self.staff = make_user("dinkop", roles.DINKOP)
        business = Business.objects.create(
            name="Terasi Payungsari",
            owner_name="Euis",
            owner_gender="P",
            sector="makanan",
            village=self.village,
        )
        self.case = Case.objects.create(
            business=business,
            service=Service.objects.get(code="halal"),
            mentor=self.mentor,
            last_activity_at=timezone.now(),
        )
        self.case_url = f"{self.live_server_url}/pendampingan/{self.case.pk}/"
        self.tmp = tempfile.mkdtemp()
        self.context = self.browser.new_context(service_workers="allow", **PHONE)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))

    def tearDown(self) -> None:
        self.context.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(Path(tempfile.gettempdir()) / "karawang-browser-offline", ignore_errors=True)

    def sign_in(self, next_url: str, username: str = "rizki") -> None:
        self.page.goto(f"{self.live_server_url}/akun/masuk/?next={next_url}")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_url(f"{self.live_server_url}{next_url}")
        # The worker is installed and controls the page before any test goes offline.
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    def open_kept(self, url: str) -> None:
        """Open a page online and wait until the phone has kept it."""
        self.page.goto(url)
        self.page.wait_for_function(PAGE_KEPT)

    def queue_note(self, text: str) -> None:
        form = self.page.locator("#note-form")
        form.locator("textarea[name=text]").fill(text)
        form.get_by_role("button", name="Tambah catatan").click()

    def notes(self) -> list[str]:
        events = CaseEvent.objects.filter(case=self.case, kind=CaseEvent.Kind.NOTE)
        return list(events.values_list("text", flat=True))

    def test_my_tasks_opens_offline_after_one_online_visit_with_the_banner(self):
        from playwright.sync_api import expect

        self.sign_in("/pendampingan/tugas-saya/")
        self.page.wait_for_function(PAGE_KEPT)
        expect(self.page.locator("#offline-banner")).to_be_hidden()
        self.context.set_offline(True)
        self.page.goto(f"{self.live_server_url}/pendampingan/tugas-saya/")
        expect(self.page.locator("h1")).to_have_text("Tugas saya")
        expect(self.page.locator("li", has_text="Terasi Payungsari")).to_be_visible()
        expect(self.page.locator("#offline-banner")).to_be_visible()
        expect(self.page.locator("#offline-banner")).to_contain_text("Sedang offline — data per")
        # Served by the worker from the kept copy, not by the network.
        self.assertTrue(self.page.evaluate("() => document.body.hasAttribute('data-cached-copy')"))
        # A page never opened shows the offline page, not the browser's error.
        self.page.goto(f"{self.live_server_url}/koperasi/")
        expect(self.page.locator("h1")).to_have_text("Sedang offline")
        self.assertEqual([m for m in self.console if "Content Security Policy" in m], [])

    def test_a_staff_page_is_not_kept(self):
        from playwright.sync_api import expect

        self.sign_in("/", username="dinkop")
        self.page.goto(f"{self.live_server_url}/")
        kept = self.page.evaluate(
            "async () => (await (await caches.open('pages')).keys()).map((r) => r.url)"
        )
        self.assertEqual(kept, [])
        self.context.set_offline(True)
        self.page.goto(f"{self.live_server_url}/")
        expect(self.page.locator("h1")).to_have_text("Sedang offline")

    def test_a_note_and_a_visit_with_a_photo_made_offline_arrive_once(self):
        from playwright.sync_api import expect

        photo = Path(self.tmp) / "kunjungan.jpg"
        Image.new("RGB", (3200, 2400), "#0b6e4f").save(photo, "JPEG")
        self.sign_in(f"/pendampingan/{self.case.pk}/")
        self.page.wait_for_function(PAGE_KEPT)
        self.page.goto(f"{self.live_server_url}/pendampingan/kunjungan/baru/")

        self.context.set_offline(True)
        self.page.fill("#id_activities", "Memotret produk terasi")
        self.page.get_by_label("Terasi Payungsari").check()
        self.page.set_input_files("#id_photos", str(photo))
        self.page.get_by_role("button", name="Simpan kunjungan").click()
        expect(self.page.locator(QUEUE + " h2")).to_have_text("1 menunggu dikirim")
        # Shrunk on the phone before it waited: a JPEG of at most 1600 px on its long side.
        self.assertEqual(self.page.evaluate(WAITING_PHOTO), ["image/jpeg", 1600, 1200])
        self.page.goto(self.case_url)
        self.queue_note("Label terasi sudah dicetak")
        queue = self.page.locator(QUEUE)
        expect(queue.locator("h2")).to_have_text("2 menunggu dikirim")
        expect(queue.locator("li")).to_have_count(2)
        self.assertEqual((self.notes(), Visit.objects.count()), ([], 0))

        self.context.set_offline(False)
        expect(queue.locator("li[data-state=sent]")).to_have_count(2)
        expect(queue.locator("h2")).to_have_text("0 menunggu dikirim")
        # Sending again on the next page load finds nothing left to send.
        self.page.reload()
        expect(queue).to_be_hidden()
        self.assertEqual(self.notes(), ["Label terasi sudah dicetak"])
        visit = Visit.objects.get()
        self.assertEqual(visit.activities, "Memotret produk terasi")
        self.assertEqual(VisitPhoto.objects.filter(visit=visit).count(), 1)

    def test_a_visit_whose_upload_breaks_off_online_waits_on_the_phone_and_arrives_once(self):
        """The signal drops while the photo is on its way: the browser still says online."""
        from playwright.sync_api import expect

        photo = Path(self.tmp) / "kunjungan.jpg"
        Image.new("RGB", (2000, 1500), "#0b6e4f").save(photo, "JPEG")
        self.sign_in("/pendampingan/kunjungan/baru/")
        self.page.route("**/pendampingan/kunjungan/baru/", self.break_off_posts)
        self.page.fill("#id_activities", "Memotret produk terasi")
        self.page.get_by_label("Terasi Payungsari").check()
        self.page.set_input_files("#id_photos", str(photo))
        self.page.get_by_role("button", name="Simpan kunjungan").click()
        queue = self.page.locator(QUEUE)
        expect(queue.locator("h2")).to_have_text("1 menunggu dikirim")
        self.assertEqual(Visit.objects.count(), 0)

        self.page.unroute("**/pendampingan/kunjungan/baru/")
        self.page.reload()  # the next page load sends what waits
        expect(queue.locator("li[data-state=sent]")).to_have_count(1)
        visit = Visit.objects.get()
        self.assertEqual(visit.activities, "Memotret produk terasi")
        self.assertEqual(VisitPhoto.objects.filter(visit=visit).count(), 1)

    @staticmethod
    def break_off_posts(route) -> None:
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    def test_a_visit_refused_online_shows_its_errors_without_sending_the_photos_again(self):
        from playwright.sync_api import expect

        photo = Path(self.tmp) / "kunjungan.jpg"
        Image.new("RGB", (2000, 1500), "#0b6e4f").save(photo, "JPEG")
        self.sign_in("/pendampingan/kunjungan/baru/")
        posts = []
        self.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        self.page.set_input_files("#id_photos", str(photo))  # no activities: refused
        self.page.get_by_role("button", name="Simpan kunjungan").click()
        expect(self.page.locator("#errors-activities")).not_to_be_empty()
        self.assertEqual(len(posts), 1)
        self.assertEqual(Visit.objects.count(), 0)

    def test_a_visit_sent_online_goes_to_the_village_page_with_its_photo_shrunk(self):
        from playwright.sync_api import expect

        photo = Path(self.tmp) / "kunjungan.jpg"
        Image.new("RGB", (3200, 2400), "#0b6e4f").save(photo, "JPEG")
        self.sign_in("/pendampingan/kunjungan/baru/")
        self.page.fill("#id_activities", "Pelatihan label")
        self.page.get_by_label("Terasi Payungsari").check()
        self.page.set_input_files("#id_photos", str(photo))
        self.page.get_by_role("button", name="Simpan kunjungan").click()
        expect(self.page.locator(".message.success")).to_contain_text("dicatat")
        visit = Visit.objects.get()
        self.assertIn(visit.village.get_absolute_url(), self.page.url)
        with VisitPhoto.objects.get(visit=visit).image.open() as stored:
            self.assertLessEqual(max(Image.open(stored).size), 1600)

    def test_a_step_move_made_offline_against_a_case_moved_meanwhile_is_a_conflict(self):
        from playwright.sync_api import expect

        self.sign_in(f"/pendampingan/{self.case.pk}/")
        self.page.wait_for_function(PAGE_KEPT)
        self.context.set_offline(True)
        form = self.page.locator("#step-form")
        form.locator("textarea[name=note]").fill("Dari lapangan")
        form.get_by_role("button", name="Simpan tahap").click()
        queue = self.page.locator(QUEUE)
        expect(queue.locator("h2")).to_have_text("1 menunggu dikirim")

        # Meanwhile the office moves the case.
        case = Case.objects.get(pk=self.case.pk)
        event = case.move_to_step(case.steps[0], by=self.staff, note="Dari kantor")
        save_versioned(case, case.version)
        event.case = case
        event.save()

        self.context.set_offline(False)
        item = queue.locator("li[data-state=conflict]")
        expect(item).to_contain_text("konflik")
        item.get_by_role("link", name="Lihat keadaan terkini").click()
        expect(self.page.locator(".timeline")).to_contain_text("Dari kantor")
        expect(self.page.locator(".timeline")).not_to_contain_text("Dari lapangan")
        self.assertEqual(Case.objects.get(pk=self.case.pk).version, 2)
        self.assertFalse(CaseEvent.objects.filter(text="Dari lapangan").exists())

    def test_closing_and_reopening_the_page_offline_keeps_the_queue(self):
        from playwright.sync_api import expect

        self.sign_in(f"/pendampingan/{self.case.pk}/")
        self.page.wait_for_function(PAGE_KEPT)
        self.context.set_offline(True)
        self.queue_note("Ditulis tanpa sinyal")
        expect(self.page.locator(QUEUE + " h2")).to_have_text("1 menunggu dikirim")
        self.page.close()

        self.page = self.context.new_page()
        self.page.goto(self.case_url)
        expect(self.page.locator(QUEUE + " h2")).to_have_text("1 menunggu dikirim")
        expect(self.page.locator(QUEUE + " li")).to_contain_text("Catatan: Terasi Payungsari")
        self.context.set_offline(False)
        expect(self.page.locator(QUEUE + " li[data-state=sent]")).to_have_count(1)
        self.assertEqual(self.notes(), ["Ditulis tanpa sinyal"])

    def test_logging_out_empties_the_cache_and_the_queue(self):
        from playwright.sync_api import expect

        self.sign_in(f"/pendampingan/{self.case.pk}/")
        self.page.wait_for_function(PAGE_KEPT)
        self.context.set_offline(True)
        self.queue_note("Belum terkirim")
        expect(self.page.locator(QUEUE + " h2")).to_have_text("1 menunggu dikirim")
        # The signal returns but the note's request still fails: it keeps waiting.
        self.page.route("**/catatan/", lambda route: route.abort("internetdisconnected"))
        self.context.set_offline(False)
        expect(self.page.locator(QUEUE + " li[data-state=waiting]")).to_have_count(1)

        self.page.locator("summary", has_text="Menu").click()
        self.page.get_by_role("button", name="Keluar").click()
        self.page.wait_for_url(f"{self.live_server_url}/akun/masuk/")
        left = self.page.evaluate(
            """async () => ({
              caches: await caches.keys(),
              databases: (await indexedDB.databases()).map((d) => d.name),
              workers: (await navigator.serviceWorker.getRegistrations()).length,
            })"""
        )
        self.assertEqual(left, {"caches": [], "databases": [], "workers": 0})
        self.assertEqual(self.notes(), [])
