"""Another regency's installation names its own regency, never Karawang."""

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from businesses.models import OvopSelection, Product
from villages import roles
from villages.models import (
    District,
    KecamatanViewer,
    Province,
    Regency,
    Village,
    home_regency,
    office_name,
    site_name,
)

from .base import make_mentor, make_user
from .test_businesses import make_business


class RegencyDisplayNameTests(TestCase):
    def test_kabupaten_and_kota_are_written_as_a_sentence_writes_them(self):
        province = Province.objects.create(code="32", name="JAWA BARAT")
        cases = {
            "KABUPATEN BEKASI": ("Kabupaten Bekasi", "Bekasi"),
            "KAB. KARAWANG": ("Kabupaten Karawang", "Karawang"),
            "KOTA BEKASI": ("Kota Bekasi", "Bekasi"),
            "KABUPATEN BANDUNG BARAT": ("Kabupaten Bandung Barat", "Bandung Barat"),
            "KOTA BAU-BAU": ("Kota Bau-Bau", "Bau-Bau"),
            "KABUPATEN PANGKAJENE DAN KEPULAUAN": (
                "Kabupaten Pangkajene dan Kepulauan",
                "Pangkajene dan Kepulauan",
            ),
        }
        for n, (name, expected) in enumerate(cases.items()):
            with self.subTest(name):
                regency = Regency(code=f"32.{n + 50}", province=province, name=name)
                self.assertEqual((regency.display_name, regency.short_name), expected)

    @override_settings(HOME_REGENCY_CODE="32.75")
    def test_a_kota_is_never_called_a_kabupaten(self):
        province = Province.objects.create(code="32", name="JAWA BARAT")
        Regency.objects.create(code="32.75", province=province, name="KOTA BEKASI")
        self.assertEqual(office_name(), "Dinas Koperasi dan UKM Kota Bekasi")
        self.assertEqual(site_name(), "Bekasi UMKM")

    @override_settings(HOME_REGENCY_CODE="32.16")
    def test_the_home_regency_is_read_once_and_follows_an_edit(self):
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.16", province=province, name="KAB BEKASI")
        cache.clear()
        with self.assertNumQueries(1):
            self.assertEqual(home_regency().display_name, "Kabupaten Bekasi")
            self.assertEqual(home_regency().display_name, "Kabupaten Bekasi")
        regency.name = "KABUPATEN BEKASI"
        regency.save()
        with self.assertNumQueries(0):
            self.assertEqual(home_regency().name, "KABUPATEN BEKASI")

    @override_settings(
        HOME_REGENCY_CODE="32.16", OFFICE_NAME="Dinas KUKM Bekasi", SITE_NAME="SiUMKM"
    )
    def test_settings_name_the_office_and_the_site(self):
        self.assertEqual(office_name(), "Dinas KUKM Bekasi")
        self.assertEqual(site_name(), "SiUMKM")


@override_settings(HOME_REGENCY_CODE="32.16")
class BekasiPagesTests(TestCase):
    """Bekasi's areas loaded, HOME_REGENCY_CODE=32.16, and nothing else configured."""

    @classmethod
    def setUpTestData(cls) -> None:
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.16", province=province, name="KABUPATEN BEKASI")
        cls.district = District.objects.create(code="32.16.01", regency=regency, name="Setu")
        cls.village = Village.objects.create(
            code="32.16.01.2001", district=cls.district, name="Burangkeng"
        )
        cls.mentor = make_mentor("mentor", cls.village)
        cls.staff = make_user("dinkop", roles.DINKOP)
        cls.camat = make_user("camat", roles.KECAMATAN)
        KecamatanViewer.objects.create(user=cls.camat, district=cls.district, role="camat")
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)
        business = make_business(
            cls.village, "Dodol Setu", owner_nik="", phone="081234567890", publication_consent=True
        )
        product = Product.objects.create(business=business, name="Dodol Betawi", featured=True)
        OvopSelection.objects.create(
            village=cls.village, year=timezone.localdate().year, product=product, reason="Ketan"
        )
        assert Group.objects.filter(name=roles.DINKOP).exists()

    def setUp(self) -> None:
        cache.clear()

    def assert_names_bekasi(self, response, where: str) -> None:
        self.assertEqual(response.status_code, 200, where)
        html = response.content.decode()
        self.assertIn("Bekasi", html, where)
        self.assertNotIn("Karawang", html, where)

    def test_signed_in_pages_name_bekasi(self):
        pages = [
            (None, reverse("login")),
            (self.staff, reverse("home")),
            (self.staff, reverse("businesses:list")),
            (self.staff, reverse("businesses:create")),
            (self.mentor.user, reverse("home")),
            (self.camat, reverse("home")),
            (self.admin, reverse("admin:index")),
        ]
        for user, url in pages:
            with self.subTest(url=url, user=user):
                self.client.logout()
                if user:
                    self.client.force_login(user)
                self.assert_names_bekasi(self.client.get(url), url)
        self.client.force_login(self.staff)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "Ringkasan Kabupaten Bekasi")
        self.assertContains(home, "Dinas Koperasi dan UKM Kabupaten Bekasi")
        self.assertContains(home, "<title>Ringkasan kabupaten · Bekasi UMKM</title>", html=True)

    def test_showcase_pages_and_their_link_previews_name_bekasi(self):
        pages = [
            reverse("showcase:index"),
            reverse("showcase:district", args=[self.district.code]),
            reverse("showcase:village", args=[self.village.code]),
        ]
        for url in pages:
            with self.subTest(url):
                response = self.client.get(url)
                self.assert_names_bekasi(response, url)
                self.assertContains(response, "Dodol Betawi")
                self.assertContains(
                    response, '<meta property="og:site_name" content="Etalase UMKM Bekasi">'
                )
        index = self.client.get(pages[0])
        self.assertContains(
            index,
            '<meta property="og:title" content="Etalase produk unggulan desa Kabupaten Bekasi">',
        )
        district = self.client.get(pages[1])
        self.assertContains(district, "Kecamatan Setu, Kabupaten Bekasi: pesan langsung")

    def test_english_pages_name_bekasi_too(self):
        self.client.force_login(self.staff)
        self.client.cookies.load({"django_language": "en"})
        for url in (reverse("home"), reverse("showcase:index")):
            with self.subTest(url):
                self.assert_names_bekasi(
                    self.client.get(url, headers={"accept-language": "en"}), url
                )
