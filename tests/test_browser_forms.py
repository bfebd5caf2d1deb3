"""Forms as a person fills them in a real browser: inline checks as fields are left.

Launches Debian's Chromium the same way as tests/test_browser.py (skipped without it, unless
REQUIRE_BROWSER is set).
"""

import tempfile
from pathlib import Path

import pytest
from django.test import override_settings

from .base import PASSWORD, make_mentor
from .test_browser import CHROMIUM, HAVE_BROWSER, PHONE, BrowserTestCase

# A weak mobile signal: every request takes this long, so several fields left in quick
# succession have their checks in flight at the same time.
LATENCY_MS = 600


@pytest.mark.skipif(not HAVE_BROWSER, reason=f"no Chromium at {CHROMIUM}")
@override_settings(
    MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-browser-media",
    PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-browser-private",
)
class BusinessFormInBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        from villages.models import District, Province, Regency, Village

        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KABUPATEN KARAWANG")
        pedes = District.objects.create(code="32.15.10", regency=regency, name="Pedes")
        village = Village.objects.create(code="32.15.10.2001", district=pedes, name="Payungsari")
        make_mentor("rizki", village)
        self.page = self.browser.new_page(**PHONE)

    def tearDown(self) -> None:
        self.page.close()

    def sign_in(self, next_url: str) -> None:
        self.page.goto(f"{self.live_server_url}/akun/masuk/?next={next_url}")
        self.page.fill("#id_username", "rizki")
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit].primary")

    def slow_network(self) -> None:
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
        )

    def test_every_field_left_within_one_round_trip_gets_its_own_check_back(self):
        from playwright.sync_api import expect

        self.sign_in("/usaha/baru/")
        expect(self.page.locator("h1")).to_have_text("Tambah usaha mikro")
        self.slow_network()
        checks: list[str] = []
        self.page.on(
            "request",
            lambda request: (
                checks.append(request.post_data or "") if request.method == "POST" else None
            ),
        )

        # Tab through name, owner and NIK faster than one round trip.
        self.page.focus("#id_name")
        self.page.keyboard.insert_text("  ")
        self.page.keyboard.press("Tab")
        self.page.keyboard.insert_text("   ")
        self.page.keyboard.press("Tab")
        self.page.keyboard.insert_text("3.21505E+15")
        self.page.keyboard.press("Tab")

        required = "tidak boleh kosong"
        expect(self.page.locator("#errors-name")).to_contain_text(required, timeout=10_000)
        expect(self.page.locator("#errors-owner_name")).to_contain_text(required, timeout=10_000)
        expect(self.page.locator("#errors-owner_nik")).to_contain_text(
            "notasi ilmiah", timeout=10_000
        )
        # Each field sent its own check; none was dropped in the browser.
        self.assertEqual(len(checks), 3)
        # Nothing was saved by the checks.
        from businesses.models import Business

        self.assertFalse(Business.objects.exists())

    def test_staff_picks_a_kecamatan_and_gets_its_villages_to_choose_from(self):
        from playwright.sync_api import expect

        from businesses.models import Business
        from villages import roles
        from villages.forms import MANY_VILLAGES
        from villages.models import District, Village

        from .base import make_user

        pedes = District.objects.get()
        klari = District.objects.create(code="32.15.05", regency=pedes.regency, name="Klari")
        Village.objects.bulk_create(
            Village(code=f"32.15.05.{2001 + i}", district=klari, name=f"Desa {i:02}")
            for i in range(MANY_VILLAGES)
        )
        # An id past 999: Indonesian number formatting once wrote it "12.345" in the option.
        Village.objects.create(pk=12345, code="32.15.10.2099", district=pedes, name="Pangulah")
        make_user("dinkop", roles.DINKOP)
        self.page.goto(f"{self.live_server_url}/akun/masuk/?next=/usaha/baru/")
        self.page.fill("#id_username", "dinkop")
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit].primary")
        expect(self.page.locator("h1")).to_have_text("Tambah usaha mikro")
        expect(self.page.locator("#id_village option")).to_have_count(1)

        self.page.select_option("#id_district", label="Klari")
        expect(self.page.locator("#id_village option")).to_have_count(MANY_VILLAGES + 1)
        self.page.select_option("#id_district", label="Pedes")
        expect(self.page.locator("#id_village option")).to_have_count(3)
        self.page.select_option("#id_village", label="Pangulah")
        self.page.fill("#id_name", "Terasi Rebon")
        self.page.fill("#id_owner_name", "Euis")
        self.page.check("#id_owner_gender_1")
        self.page.select_option("#id_sector", "makanan")
        self.page.wait_for_load_state("networkidle")
        self.page.get_by_role("button", name="Simpan").click()
        self.assertEqual(self.page.locator(".field.invalid").all_inner_texts(), [])
        expect(self.page.locator("h1")).to_contain_text("Terasi Rebon")
        self.assertEqual(Business.objects.get().village.name, "Pangulah")
