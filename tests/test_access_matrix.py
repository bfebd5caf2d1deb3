"""The views not covered in their own app's tests: every one answers 404 to the outsider and 403
to the read-only user."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from businesses.models import Potential, Product
from cooperatives.models import ActivityDocument, KecamatanPartner

from .base import PersonaTestCase
from .test_businesses import make_business
from .test_cooperatives import make_activity


def photo() -> ContentFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), "#0b6e4f").save(out, "JPEG")
    return ContentFile(out.getvalue(), name="foto.jpg")


class AccessMatrixTests(PersonaTestCase):
    def setUp(self) -> None:
        business = make_business(self.duren)
        self.product = Product(business=business, name="Keripik")
        self.product.photo.save("k.jpg", photo(), save=True)
        self.potential = Potential(
            village=self.duren, category="kerajinan", title="Anyaman", description="x"
        )
        self.potential.photo.save("p.jpg", photo(), save=True)
        self.partner = KecamatanPartner.objects.create(
            district=self.klari, role="camat", name="Pak Camat"
        )
        self.activity = make_activity(self.klari, "Bazar Rahasia Klari")
        self.document = ActivityDocument(
            activity=self.activity, filename="a.pdf", content_type="application/pdf", size=9
        )
        self.document.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=True)

    def reads(self) -> list[str]:
        return [
            reverse("businesses:product_photo", args=[self.product.pk]),
            reverse("businesses:potential_photo", args=[self.potential.pk]),
            reverse("cooperatives:partners", args=[self.klari.code]),
            reverse("cooperatives:document", args=[self.document.pk]),
        ]

    def writes(self) -> list[tuple[str, dict]]:
        return [
            (reverse("businesses:potential_edit", args=[self.potential.pk]), {}),
            (
                reverse("cooperatives:partners", args=[self.klari.code]),
                {"role": "camat", "name": "Baru"},
            ),
            (
                reverse("cooperatives:partner_edit", args=[self.partner.pk]),
                {"role": "camat", "name": "Ganti"},
            ),
        ]

    def test_outsiders_get_404(self):
        for user in (self.other_mentor.user, self.expired_mentor.user, self.outsider):
            self.client.force_login(user)
            for url in self.reads():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            for url, data in self.writes():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.post(url, data).status_code, 404)

    def test_read_only_users_read_and_get_403_on_writes(self):
        for user in (self.camat, self.leader):
            self.client.force_login(user)
            for url in self.reads():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
            for url, data in self.writes():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.post(url, data).status_code, 403)
        self.partner.refresh_from_db()
        self.assertEqual(self.partner.name, "Pak Camat")
        self.assertEqual(KecamatanPartner.objects.count(), 1)

    def test_mentor_may_edit_potentials_of_own_village_only(self):
        url = reverse("businesses:potential_edit", args=[self.potential.pk])
        self.client.force_login(self.mentor.user)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(self.other_mentor.user)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_staff_manage_kecamatan_partners(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("cooperatives:partners", args=[self.klari.code]),
            {
                "role": "ketua_pkk",
                "name": "Ibu Ketua",
                "phone": "0812 1111 2222",
                "is_active": "on",
            },
        )
        self.assertRedirects(response, reverse("cooperatives:partners", args=[self.klari.code]))
        self.assertEqual(KecamatanPartner.objects.get(name="Ibu Ketua").phone, "+6281211112222")

    def test_forms_with_a_stored_photo_open_and_keep_it(self):
        self.client.force_login(self.mentor.user)
        for url in (
            reverse("businesses:potential_edit", args=[self.potential.pk]),
            reverse("businesses:product_edit", args=[self.product.pk]),
        ):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertContains(response, "Sudah ada foto tersimpan")
        response = self.client.post(
            reverse("businesses:product_edit", args=[self.product.pk]),
            {"name": "Keripik Pedas", "price": "", "version": self.product.version},
        )
        self.assertEqual(response.status_code, 302)
        self.product.refresh_from_db()
        self.assertTrue(self.product.photo)
        self.assertEqual(self.product.name, "Keripik Pedas")

    def test_admin_opens_a_business_whose_product_has_a_photo(self):
        from django.contrib.auth import get_user_model

        root = get_user_model().objects.create_superuser("root", password="x")
        self.client.force_login(root)
        url = reverse("admin:businesses_business_change", args=[self.product.business_id])
        self.assertContains(self.client.get(url), "Sudah ada foto tersimpan")

    def test_a_stale_partner_edit_is_refused(self):
        url = reverse("cooperatives:partner_edit", args=[self.partner.pk])
        self.client.force_login(self.staff)
        data = {"role": "camat", "name": "Versi A", "version": self.partner.version}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        response = self.client.post(url, data | {"name": "Versi B"})
        self.assertContains(response, "sudah diubah orang lain", status_code=400)
        self.partner.refresh_from_db()
        self.assertEqual(self.partner.name, "Versi A")

    def test_list_pages_show_an_outsider_nothing_of_any_area(self):
        self.client.force_login(self.outsider)
        for name in (
            "businesses:ovop_overview",
            "cooperatives:flagships",
            "cooperatives:activities",
            "cooperatives:budget",
            "assistance:visits",
            "villages:list",
        ):
            with self.subTest(name):
                response = self.client.get(reverse(name))
                self.assertEqual(response.status_code, 200)
                for secret in ("Duren", "Pancawati", "Klari", "Rahasia"):
                    self.assertNotContains(response, secret)
