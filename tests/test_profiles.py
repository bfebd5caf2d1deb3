"""Village profiles: potentials, OVOP, mentor visits, the mentor page and the public showcase."""

from datetime import timedelta
from io import BytesIO

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assistance.models import Visit, VisitPhoto
from businesses.models import OvopSelection, Potential, Product

from .base import PersonaTestCase
from .test_businesses import NIK_WOMAN, make_business


def jpeg(size=(2400, 1600), name="foto.jpg") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, "#0b6e4f").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


class PotentialTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)

    def create(self, village, user, **data):
        self.client.force_login(user)
        values = {
            "category": "olahan_pangan",
            "title": "Olahan singkong",
            "description": "Keripik dan opak dari singkong lokal",
            "businesses": [self.business.pk],
        } | data
        return self.client.post(reverse("businesses:potential_create", args=[village.code]), values)

    def test_mentor_maps_a_potential_of_their_village_and_it_shows_on_the_village_page(self):
        response = self.create(self.duren, self.mentor.user, photo=jpeg())
        self.assertRedirects(response, self.duren.get_absolute_url())
        potential = Potential.objects.get()
        self.assertEqual(potential.recorded_by, self.mentor.user)
        self.assertEqual(list(potential.businesses.all()), [self.business])
        self.assertTrue(potential.photo.name.endswith(".jpg"))
        page = self.client.get(self.duren.get_absolute_url())
        self.assertContains(page, "Olahan singkong")
        self.assertContains(page, "Belum ditinjau")
        self.assertContains(page, reverse("businesses:potential_photo", args=[potential.pk]))

    def test_outsiders_get_404_and_read_only_users_403(self):
        self.assertEqual(self.create(self.duren, self.other_mentor.user).status_code, 404)
        self.assertEqual(self.create(self.duren, self.outsider).status_code, 404)
        self.assertEqual(self.create(self.duren, self.camat).status_code, 403)
        self.assertEqual(self.create(self.duren, self.leader).status_code, 403)
        self.assertFalse(Potential.objects.exists())

    def test_only_the_villages_businesses_can_be_linked(self):
        elsewhere = make_business(self.payungsari, "Terasi Pedes", owner_nik="")
        response = self.create(self.duren, self.staff, businesses=[elsewhere.pk])
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Potential.objects.exists())

    def test_staff_review_and_nobody_else(self):
        self.create(self.duren, self.mentor.user)
        potential = Potential.objects.get()
        url = reverse("businesses:potential_review", args=[potential.pk])
        self.client.force_login(self.mentor.user)
        self.assertEqual(self.client.post(url, {"review_note": "ok"}).status_code, 403)
        self.client.force_login(self.other_mentor.user)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.staff)
        self.client.post(url, {"review_note": "Sesuai survei lapangan"})
        potential.refresh_from_db()
        self.assertEqual(
            (potential.reviewed_by, potential.review_note), (self.staff, "Sesuai survei lapangan")
        )

    def test_editing_a_stale_potential_is_a_conflict(self):
        self.create(self.duren, self.mentor.user)
        potential = Potential.objects.get()
        url = reverse("businesses:potential_edit", args=[potential.pk])
        data = {
            "category": "olahan_pangan",
            "title": "Versi A",
            "description": "x",
            "version": potential.version,
        }
        self.assertEqual(self.client.post(url, data).status_code, 302)
        response = self.client.post(url, data | {"title": "Versi B"})
        self.assertContains(response, "sudah diubah orang lain", status_code=400)
        potential.refresh_from_db()
        self.assertEqual(potential.title, "Versi A")


class OvopTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.keripik = Product.objects.create(business=self.business, name="Keripik", price=1)
        self.opak = Product.objects.create(business=self.business, name="Opak", price=1)
        self.url = reverse("businesses:ovop_choose", args=[self.duren.code])
        self.year = timezone.localdate().year

    def choose(self, product, user=None, year=None):
        self.client.force_login(user or self.mentor.user)
        return self.client.post(
            self.url, {"year": year or self.year, "product": product.pk, "reason": "Bahan lokal"}
        )

    def test_one_product_per_village_per_year_and_choosing_again_replaces_it(self):
        self.assertRedirects(self.choose(self.keripik), self.duren.get_absolute_url())
        self.choose(self.opak)
        self.assertEqual(OvopSelection.objects.get(year=self.year).product, self.opak)
        self.choose(self.keripik, year=self.year - 1)
        self.assertEqual(OvopSelection.objects.count(), 2)
        page = self.client.get(self.duren.get_absolute_url())
        self.assertContains(page, f"Produk OVOP {self.year}")
        self.assertContains(page, "Tahun-tahun sebelumnya")

    def test_a_product_of_another_village_is_refused(self):
        other = Product.objects.create(
            business=make_business(self.payungsari, "Terasi", owner_nik=""), name="Terasi"
        )
        self.assertEqual(self.choose(other, user=self.staff).status_code, 400)
        self.assertFalse(OvopSelection.objects.exists())

    def test_outsiders_get_404_and_read_only_users_403(self):
        self.assertEqual(self.choose(self.keripik, self.other_mentor.user).status_code, 404)
        self.assertEqual(self.choose(self.keripik, self.camat).status_code, 403)
        self.assertFalse(OvopSelection.objects.exists())

    def test_staff_overview_shows_which_villages_have_one(self):
        self.choose(self.keripik)
        self.client.force_login(self.staff)
        response = self.client.get(reverse("businesses:ovop_overview"), {"status": "ada"})
        self.assertEqual([v.name for v in response.context["page"].object_list], ["Duren"])
        response = self.client.get(reverse("businesses:ovop_overview"), {"status": "belum"})
        self.assertEqual(
            {v.name for v in response.context["page"].object_list}, {"Pancawati", "Payungsari"}
        )
        self.assertEqual(response.context["with_ovop"], 1)


@override_settings(PRIVATE_MEDIA_ROOT="/tmp/karawang-test-private")
class VisitTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.url = reverse("assistance:visit_create")

    def log(self, user=None, **data):
        self.client.force_login(user or self.mentor.user)
        values = {
            "village": self.duren.pk,
            "date": timezone.localdate().isoformat(),
            "businesses": [self.business.pk],
            "activities": "Foto produk",
        } | data
        return self.client.post(self.url, values)

    def test_mentor_logs_a_visit_with_photos_which_are_made_small(self):
        response = self.log(photos=[jpeg(), jpeg(name="dua.jpg")])
        self.assertRedirects(response, self.duren.get_absolute_url())
        visit = Visit.objects.get()
        self.assertEqual((visit.mentor, visit.created_by), (self.mentor, self.mentor.user))
        photos = VisitPhoto.objects.filter(visit=visit)
        self.assertEqual(photos.count(), 2)
        with Image.open(photos[0].image.path) as stored:
            self.assertLessEqual(max(stored.size), 1200)
        served = self.client.get(photos[0].get_absolute_url())
        self.assertEqual(served["Content-Type"], "image/jpeg")
        self.client.force_login(self.other_mentor.user)
        self.assertEqual(self.client.get(photos[0].get_absolute_url()).status_code, 404)

    def test_visit_shows_on_village_business_and_mentor_pages(self):
        self.log(activities="Mendata usaha baru")
        visit = Visit.objects.get()
        for url in (self.duren.get_absolute_url(), self.business.get_absolute_url()):
            self.assertContains(self.client.get(url), visit.get_absolute_url())
        self.client.force_login(self.staff)
        page = self.client.get(reverse("villages:mentor", args=[self.mentor.pk]))
        self.assertContains(page, visit.get_absolute_url())
        self.assertContains(page, "<svg")

    def test_bad_input_is_refused_next_to_the_field(self):
        elsewhere = make_business(self.payungsari, "Terasi Pedes", owner_nik="")
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.log(
            date=tomorrow,
            businesses=[elsewhere.pk],
            photos=[SimpleUploadedFile("x.jpg", b"not an image")],
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.context["form"].errors), {"date", "businesses", "photos"})
        response = self.log(village=self.payungsari.pk)
        self.assertContains(response, "Masukkan pilihan yang valid", status_code=400)
        self.assertFalse(Visit.objects.exists())

    def test_only_mentors_log_visits_and_outsiders_do_not_see_them(self):
        for user in (self.camat, self.leader, self.staff, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
        self.log()
        detail = Visit.objects.get().get_absolute_url()
        for user in (self.other_mentor.user, self.expired_mentor.user, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(detail).status_code, 404)
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(detail).status_code, 200)

    def test_mentor_page_is_for_the_office(self):
        url = reverse("villages:mentor", args=[self.mentor.pk])
        for user in (self.mentor.user, self.camat, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(reverse("villages:mentor", args=[999])).status_code, 404)


class ShowcaseTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.consenting = make_business(
            self.duren,
            "Keripik Bu Iis",
            phone="081234567890",
            address="Kp. Rahasia RT 01",
            owner_nik=NIK_WOMAN,
            publication_consent=True,
        )
        self.refusing = make_business(
            self.duren, "Opak Pak Odih", owner_nik="", publication_consent=False
        )
        self.keripik = Product.objects.create(
            business=self.consenting, name="Keripik Balado", price=12000, featured=True
        )
        self.opak = Product.objects.create(
            business=self.refusing, name="Opak Bakar Rahasia", price=15000, featured=True
        )
        OvopSelection.objects.create(
            village=self.duren,
            year=timezone.localdate().year,
            product=self.keripik,
            reason="Singkong lokal",
        )

    def pages(self) -> list[str]:
        return [
            reverse("showcase:index"),
            reverse("showcase:district", args=["32.15.05"]),
            reverse("showcase:village", args=[self.duren.code]),
        ]

    def test_public_pages_need_no_login_and_show_consenting_products_with_an_order_link(self):
        for url in self.pages():
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, "Keripik Balado")
                self.assertContains(response, "https://wa.me/6281234567890?text=")
                self.assertContains(response, 'property="og:title"')
                self.assertIn("max-age=300", response["Cache-Control"])
        self.assertContains(self.client.get(self.pages()[2]), "Rp\u00a012.000")

    def test_a_non_consenting_business_never_appears(self):
        for url in self.pages():
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                self.assertNotIn("Opak Bakar Rahasia", html)
                self.assertNotIn("Opak Pak Odih", html)
                self.assertNotIn(NIK_WOMAN, html)
                self.assertNotIn("3215••", html)
                self.assertNotIn("Kp. Rahasia", html)
        self.assertEqual(
            self.client.get(reverse("showcase:photo", args=[self.opak.pk])).status_code, 404
        )

    def test_withdrawn_consent_removes_the_ovop_product_too(self):
        self.consenting.publication_consent = False
        self.consenting.save()
        for url in self.pages():
            self.assertNotContains(self.client.get(url), "Keripik Balado")

    def test_public_pages_run_a_constant_number_of_queries(self):
        counts = []
        for n in (1, 12):
            for i in range(n):
                business = make_business(
                    self.pancawati, f"Usaha {n}-{i}", owner_nik="", publication_consent=True
                )
                Product.objects.create(business=business, name=f"Produk {n}-{i}", featured=True)
            cache.clear()
            sizes = []
            for url in self.pages():
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                sizes.append(len(queries))
            counts.append(sizes)
        self.assertEqual(counts[0], counts[1])

    def test_showcase_pages_never_touch_the_session(self):
        response = self.client.get(self.pages()[2])
        self.assertNotIn("sessionid", response.cookies)
        self.assertNotIn("csrftoken", response.cookies)
        self.assertNotIn("<script", response.content.decode())

    def test_only_the_ovop_product_carries_the_ovop_badge(self):
        Product.objects.create(business=self.consenting, name="Rengginang", featured=True)
        district = self.client.get(reverse("showcase:district", args=["32.15.05"]))
        self.assertContains(district, "Rengginang")
        self.assertContains(district, 'class="badge ok"', count=1)

    def test_the_kecamatan_page_links_the_villages_that_have_something_to_show(self):
        hidden = make_business(self.pancawati, "Dodol Rahasia", owner_nik="")
        Product.objects.create(business=hidden, name="Dodol", featured=True)
        duren = reverse("showcase:village", args=[self.duren.code])
        pancawati = reverse("showcase:village", args=[self.pancawati.code])
        district = self.client.get(reverse("showcase:district", args=["32.15.05"]))
        self.assertContains(district, f'href="{duren}"')
        self.assertNotContains(district, f'href="{pancawati}"')
        # Every product card names its village with a link to the village page.
        self.assertContains(self.client.get(reverse("showcase:index")), f'href="{duren}"')

    def test_the_order_message_is_indonesian_whatever_the_visitors_language(self):
        from django.utils import translation

        with translation.override("en"):
            url = self.keripik.order_url()
        self.assertIn("Halo", url)


class ChooseAgainTests(PersonaTestCase):
    def test_a_year_written_oddly_still_replaces_the_choice(self):
        business = make_business(self.duren)
        first = Product.objects.create(business=business, name="Keripik")
        second = Product.objects.create(business=business, name="Opak")
        url = reverse("businesses:ovop_choose", args=[self.duren.code])
        self.client.force_login(self.mentor.user)
        self.client.post(url, {"year": "2026", "product": first.pk, "reason": "a"})
        response = self.client.post(url, {"year": " 2026", "product": second.pk, "reason": "b"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(OvopSelection.objects.get().product, second)
