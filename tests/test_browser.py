"""What a mentor clicks through on a phone, in a real browser (Playwright driving Chromium).

Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH). Without it these tests are
skipped on a developer machine; CI sets REQUIRE_BROWSER=1 so that a missing browser fails.
"""

import importlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.servers.basehttp import WSGIServer
from django.test import override_settings
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.utils import timezone
from PIL import Image

from assistance.models import Case, Service
from businesses.models import Business

from .base import PASSWORD, make_mentor

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_BROWSER = Path(CHROMIUM).exists()
if not HAVE_BROWSER and os.environ.get("REQUIRE_BROWSER"):
    raise RuntimeError(f"REQUIRE_BROWSER is set but no Chromium at {CHROMIUM}")

# Chromium flags for a closed network and a root user (see the machine notes in README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


class OneRequestAtATime(LiveServerThread):
    """The live server answers one request at a time. The browser fetches in parallel (pages,
    the service worker, its cache), and on SQLite the test database is one in-memory connection
    that the server's threads would otherwise use at once ("bad parameter or other API misuse")."""

    def _create_server(self, connections_override=None):
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and Debian's Chromium, started once for the class."""

    server_thread_class = OneRequestAtATime

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
        # test itself are still synchronous.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.skipif(not HAVE_BROWSER, reason=f"no Chromium at {CHROMIUM}")
@override_settings(
    MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-browser-media",
    PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-browser-private",
    # Background steps run inside the request here; the worker is tested elsewhere.
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
)
class MentorPhoneTests(BrowserTestCase):
    def setUp(self) -> None:
        from villages.models import District, Province, Regency, Village

        # A live-server test case flushes the tables between tests, migration-seeded rows too.
        seed = importlib.import_module("assistance.migrations.0003_services_and_steps").seed
        seed(django_apps, None)

        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KAB. KARAWANG")
        pedes = District.objects.create(code="32.15.10", regency=regency, name="Pedes")
        village = Village.objects.create(code="32.15.10.2001", district=pedes, name="Payungsari")
        self.mentor = make_mentor("rizki", village)
        business = Business.objects.create(
            name="Terasi Payungsari",
            owner_name="Euis",
            owner_gender="P",
            sector="makanan",
            village=village,
        )
        self.case = Case.objects.create(
            business=business,
            service=Service.objects.get(code="halal"),
            mentor=self.mentor,
            last_activity_at=timezone.now() - timezone.timedelta(days=20),
        )
        self.tmp = tempfile.mkdtemp()
        self.page = self.browser.new_page(**PHONE)
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))

    def tearDown(self) -> None:
        self.page.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sign_in(self, next_url: str) -> None:
        self.page.goto(f"{self.live_server_url}/akun/masuk/?next={next_url}")
        self.page.fill("#id_username", "rizki")
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit].primary")

    def mentor_pages(self) -> tuple[str, ...]:
        """The pages a mentor works with on a phone."""
        return (
            "/",
            "/usaha/",
            "/pendampingan/tugas-saya/",
            f"/pendampingan/{self.case.pk}/",
            "/pendampingan/",
            "/pendampingan/kunjungan/",
            "/desa/32.15.10.2001/",
            "/pendampingan/kunjungan/baru/",
            "/koperasi/",
            "/koperasi/anggaran/",
            "/koperasi/kegiatan/",
            "/laporan/",
        )

    def test_mentor_moves_a_case_one_step_from_my_tasks_without_a_page_reload(self):
        from playwright.sync_api import expect

        self.sign_in("/pendampingan/tugas-saya/")
        expect(self.page.locator("h1")).to_have_text("Tugas saya")
        task = self.page.locator("li.stalled", has_text="Terasi Payungsari")
        expect(task).to_contain_text("Macet")
        task.get_by_role("link", name="Terasi Payungsari").click()
        expect(self.page.locator("h1")).to_contain_text("Terasi Payungsari")

        # A full reload would wipe this marker; an htmx swap keeps it.
        self.page.evaluate("window.noReload = true")
        form = self.page.locator("#step-form")
        form.locator("textarea[name=note]").fill("Akun SIHALAL dibuat bersama pemilik")
        form.get_by_role("button", name="Simpan tahap").click()

        timeline = self.page.locator(".timeline")
        expect(timeline).to_contain_text("Tahap: 1. NIB dengan KBLI yang sesuai")
        expect(timeline).to_contain_text("Akun SIHALAL dibuat bersama pemilik")
        expect(self.page.locator("#work .message")).to_have_text("Tersimpan.")
        self.assertTrue(self.page.evaluate("window.noReload === true"))

        self.case.refresh_from_db()
        self.assertEqual(self.case.step.order, 1)
        self.assertEqual(self.case.status, "in_progress")
        self.assertEqual([m for m in self.console if "Content Security Policy" in m], [])

    def test_pages_fit_a_360px_phone(self):
        self.sign_in("/usaha/")
        for path in self.mentor_pages():
            with self.subTest(path):
                self.page.goto(f"{self.live_server_url}{path}")
                width = self.page.evaluate("document.documentElement.scrollWidth")
                self.assertLessEqual(width, 360)

    def test_mentor_home_shows_the_days_work_with_the_visit_button_in_the_first_screen(self):
        from playwright.sync_api import expect

        self.sign_in("/")
        day = self.page.locator("section.day")
        expect(day).to_contain_text("1 kasus berjalan")
        expect(day).to_contain_text("1 kasus macet")
        expect(day).to_contain_text("0 kunjungan saya bulan ini")
        expect(day.locator("li.stalled")).to_contain_text("Terasi Payungsari")
        button = day.get_by_role("link", name="Catat kunjungan")
        box = button.bounding_box()
        self.assertLess(box["y"] + box["height"], PHONE["viewport"]["height"])
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)
        day.get_by_role("link", name="1 kasus macet").click()
        expect(self.page.locator("#results .rows > li")).to_have_count(1)
        self.page.go_back()
        self.page.get_by_role("link", name="Catat kunjungan").click()
        expect(self.page.locator("h1")).to_have_text("Catat kunjungan")

    def test_list_filters_fold_behind_a_counting_button_on_a_phone_and_still_filter(self):
        from playwright.sync_api import expect

        Business.objects.create(
            name="Anyaman Bambu",
            owner_name="Ujang",
            owner_gender="L",
            sector="kerajinan",
            village=self.case.business.village,
        )
        self.sign_in("/usaha/")
        panel = self.page.locator("details.filter-panel")
        summary = panel.locator("summary")
        expect(summary).to_have_text("Filter")
        expect(self.page.locator("#id_sektor")).to_be_hidden()
        expect(self.page.locator("#id_q")).to_be_visible()
        expect(self.page.locator("#results .rows > li")).to_have_count(2)

        self.page.evaluate("window.noReload = true")
        summary.click()
        self.page.select_option("#id_sektor", "kerajinan")
        expect(self.page.locator("#results .rows > li")).to_have_count(1)
        expect(self.page.locator("#results")).to_contain_text("Anyaman Bambu")
        expect(summary).to_have_text("Filter (1)")
        self.page.check("#id_miskin_ekstrem")
        expect(summary).to_have_text("Filter (2)")
        self.assertTrue(self.page.evaluate("window.noReload === true"))
        self.assertIn("sektor=kerajinan", self.page.url)

        # Opened from its address (a link, a reload): folded, with the count.
        self.page.goto(f"{self.live_server_url}/pendampingan/?macet=on&status=aktif")
        expect(self.page.locator("details.filter-panel summary")).to_have_text("Filter (2)")
        expect(self.page.locator("#id_status")).to_be_hidden()
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)

        # On a wide screen the filters show without a click.
        self.page.set_viewport_size({"width": 1280, "height": 800})
        expect(self.page.locator("#id_status")).to_be_visible()

    def test_mentor_logs_a_visit_with_a_photo_and_it_appears_on_the_village_page(self):
        from playwright.sync_api import expect

        photo = Path(self.tmp) / "kunjungan.jpg"
        Image.new("RGB", (1600, 1200), "#0b6e4f").save(photo, "JPEG")
        self.sign_in("/pendampingan/kunjungan/baru/")
        expect(self.page.locator("h1")).to_have_text("Catat kunjungan")
        self.page.fill("#id_activities", "Memotret produk terasi untuk etalase")
        self.page.get_by_label("Terasi Payungsari").check()
        self.page.set_input_files("#id_photos", str(photo))
        self.page.get_by_role("button", name="Simpan kunjungan").click()

        expect(self.page.locator("h1")).to_contain_text("Payungsari")
        visits = self.page.locator("#visits")
        expect(visits).to_contain_text("Memotret produk terasi untuk etalase")
        expect(visits).to_contain_text("1 foto")
        visits.locator(".rows a").first.click()
        image = self.page.locator(".photos img")
        expect(image).to_have_count(1)
        # The photo is served by an access-checked view; wait until it has really loaded.
        self.page.wait_for_function(
            "() => { const img = document.querySelector('.photos img');"
            " return img.complete && img.naturalWidth > 0; }",
            timeout=10_000,
        )

    def test_mentor_verifies_a_sidt_record_from_my_tasks_with_a_photo(self):
        from playwright.sync_api import expect

        from assistance.models import Verification

        Business.objects.filter(pk=self.case.business_id).update(sidt_id="3215100001")
        photo = Path(self.tmp) / "lapangan.jpg"
        Image.new("RGB", (1600, 1200), "#0b6e4f").save(photo, "JPEG")
        self.sign_in("/pendampingan/tugas-saya/")
        section = self.page.locator("#verifikasi")
        expect(section).to_contain_text("1 data SIDT belum diverifikasi")
        section.get_by_role("link", name="Terasi Payungsari").click()
        expect(self.page.locator("h1")).to_have_text("Verifikasi Terasi Payungsari")
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)
        self.page.get_by_label("Ditemukan, data benar").check()
        self.page.fill("#id_note", "Masih berproduksi di rumah")
        self.page.set_input_files("#id_photo", str(photo))
        self.page.get_by_role("button", name="Simpan verifikasi").click()

        expect(self.page.locator("h1")).to_have_text("Verifikasi lapangan")
        expect(self.page.locator("#messages")).to_contain_text("Ditemukan, data benar")
        expect(self.page.locator("#results .empty")).to_be_visible()
        verification = Verification.objects.get()
        self.assertEqual((verification.result, verification.by), ("ditemukan", self.mentor.user))
        self.page.goto(f"{self.live_server_url}/usaha/{self.case.business_id}/")
        panel = self.page.locator("#verifikasi")
        expect(panel).to_contain_text("Masih berproduksi di rumah")
        panel.locator("img").scroll_into_view_if_needed()  # loaded lazily
        self.page.wait_for_function(
            "() => { const img = document.querySelector('#verifikasi img');"
            " return img.complete && img.naturalWidth > 0; }",
            timeout=10_000,
        )
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)

    def test_anonymous_visitor_sees_the_ovop_product_with_its_whatsapp_link(self):
        from playwright.sync_api import expect

        from businesses.models import OvopSelection, Product

        business = Business.objects.get()
        business.phone = "081234567890"
        business.publication_consent = True
        business.save()
        product = Product.objects.create(
            business=business, name="Terasi udang rebon", price=15000, featured=True
        )
        OvopSelection.objects.create(
            village=business.village,
            year=timezone.localdate().year,
            product=product,
            reason="Udang rebon dari pantai sendiri",
        )
        self.page.goto(f"{self.live_server_url}/etalase/desa/32.15.10.2001/")
        card = self.page.locator(".product-card", has_text="Terasi udang rebon")
        expect(card).to_contain_text("OVOP")
        expect(card).to_contain_text("Rp 15.000")
        link = card.get_by_role("link", name="Pesan lewat WhatsApp")
        self.assertTrue(link.get_attribute("href").startswith("https://wa.me/6281234567890?text="))
        self.assertEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)

    def test_pages_a_mentor_and_a_visitor_reach_have_no_serious_accessibility_violation(self):
        """axe-core (WCAG 2 A/AA rules) on every page of the phone scenario, with data on them
        that shows each kind of badge, table and card."""
        from axe_playwright_python.sync_playwright import Axe

        from businesses.models import OvopSelection, Product
        from cooperatives.models import Activity, SipdCode
        from villages.models import District

        seed = importlib.import_module("cooperatives.migrations.0002_sipd_codes").seed
        seed(django_apps, None)
        business = Business.objects.get()
        business.nib_number = "1234567890123"
        business.phone = "081234567890"
        business.publication_consent = True
        business.save()
        product = Product.objects.create(
            business=business, name="Terasi udang rebon", price=15000, featured=True
        )
        year = timezone.localdate().year
        OvopSelection.objects.create(
            village=business.village, year=year, product=product, reason="Udang rebon"
        )
        Activity.objects.create(
            title="Bazar koperasi",
            district=District.objects.get(),
            kind="pelatihan_koperasi",
            fiscal_year=year,
            budget_ceiling=680_000_000,
            realised=350_000_000,
            status="rencana",
            start_date=timezone.localdate(),
            organiser="dinkop",
            sipd=SipdCode.objects.get(code="2.17.06.2.01.0009"),
        )

        axe = Axe()
        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}

        def serious_violations(path: str) -> list[str]:
            self.page.goto(f"{self.live_server_url}{path}")
            # Folded list filters are checked unfolded (axe skips what is not rendered).
            self.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            results = axe.run(self.page, options=options | {"resultTypes": ["violations"]})
            return [
                f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]

        public = ("/etalase/", "/etalase/kecamatan/32.15.10/", "/etalase/desa/32.15.10.2001/")
        for path in ("/akun/masuk/", *public):
            with self.subTest(path):
                self.assertEqual(serious_violations(path), [])
        self.sign_in("/")
        self.page.wait_for_url(f"{self.live_server_url}/")
        filtered = ("/usaha/?sektor=makanan&miskin_ekstrem=on", "/pendampingan/?macet=on")
        for path in (*self.mentor_pages(), *filtered, f"/usaha/{business.pk}/", "/tidak-ada/"):
            with self.subTest(path):
                self.assertEqual(serious_violations(path), [])

    def test_mentor_imports_a_sheet_fixing_the_row_the_preview_refused(self):
        import openpyxl
        from playwright.sync_api import expect

        def sheet(sector: str) -> str:
            book = openpyxl.Workbook()
            book.active.append(
                [
                    "Nama usaha",
                    "Nama pemilik",
                    "Jenis kelamin (L/P)",
                    "Kecamatan",
                    "Desa/Kelurahan",
                    "Sektor",
                ]
            )
            book.active.append(
                ["Kerupuk Kulit Bu Ade", "Ade", "P", "Pedes", "Desa Payungsari", sector]
            )
            path = Path(self.tmp) / f"usaha-{sector}.xlsx"
            book.save(path)
            return str(path)

        self.sign_in("/impor/")
        expect(self.page.locator("h1")).to_have_text("Impor spreadsheet")
        self.page.set_input_files("#id_file", sheet("Tambang"))
        self.page.get_by_role("button", name="Unggah dan periksa").click()
        errors = self.page.locator("#import-errors")
        expect(errors).to_contain_text("Tambang tidak dikenal")
        expect(errors).to_contain_text("baris 2 di spreadsheet")
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)
        self.assertFalse(Business.objects.filter(name="Kerupuk Kulit Bu Ade").exists())

        self.page.get_by_role("link", name="Unggah lembar kerja yang sudah diperbaiki").click()
        self.page.set_input_files("#id_file", sheet("Makanan dan minuman"))
        self.page.get_by_role("button", name="Unggah dan periksa").click()
        expect(self.page.locator(".stats")).to_contain_text("1 baru")
        self.page.get_by_role("button", name="Impor 1 baris").click()
        expect(self.page.locator(".message.success")).to_contain_text("Selesai: 1 baru")
        self.assertLessEqual(self.page.evaluate("document.documentElement.scrollWidth"), 360)
        business = Business.objects.get(name="Kerupuk Kulit Bu Ade")
        self.assertEqual(business.village.name, "Payungsari")
        self.assertEqual(business.history.latest().history_user, self.mentor.user)
