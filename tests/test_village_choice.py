"""Forms with a village choice ask for the kecamatan first when the user may pick from many
villages (staff: the whole regency), and list only that kecamatan's villages."""

from django.urls import reverse

from businesses.models import Business
from villages.forms import MANY_VILLAGES
from villages.models import District, Village

from .base import PersonaTestCase
from .test_businesses import form_data, make_business


class VillageByDistrictTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.telagasari = District.objects.create(
            code="32.15.20", regency=cls.klari.regency, name="Telagasari"
        )
        Village.objects.bulk_create(
            Village(code=f"32.15.20.{2001 + i}", district=cls.telagasari, name=f"Desa {i:02}")
            for i in range(MANY_VILLAGES)
        )
        cls.far = Village.objects.get(code="32.15.20.2001")

    def options(self, html: str, select_id: str) -> list[str]:
        select = html[html.index(f'id="{select_id}"') :]
        select = select[: select.index("</select>")]
        return [part.split(">", 1)[1].split("<", 1)[0] for part in select.split("<option")[1:]]

    def test_staff_chooses_the_kecamatan_before_its_villages(self):
        self.client.force_login(self.staff)
        html = self.client.get(reverse("businesses:create")).content.decode()
        self.assertIn("Telagasari", self.options(html, "id_district"))
        self.assertEqual(self.options(html, "id_village"), ["Pilih kecamatan dulu"])
        self.assertIn(f'hx-get="{reverse("villages:options")}"', html)

    def test_options_list_one_kecamatans_villages(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("villages:options"), {"district": self.klari.pk})
        self.assertEqual(
            self.options('<select id="x">' + response.content.decode() + "</select>", "x"),
            ["Pilih desa", "Duren", "Pancawati"],
        )

    def test_option_values_are_plain_ids_whatever_the_number_format(self):
        # Indonesian formatting writes 12345 as "12.345"; an option value must stay "12345".
        Village.objects.create(pk=12345, code="32.15.05.2099", district=self.klari, name="Jauh")
        self.client.force_login(self.staff)
        response = self.client.get(reverse("villages:options"), {"district": self.klari.pk})
        self.assertContains(response, '<option value="12345">Jauh</option>')

    def test_options_answer_400_for_a_kecamatan_outside_the_users_area(self):
        self.client.force_login(self.mentor.user)
        url = reverse("villages:options")
        self.assertEqual(self.client.get(url, {"district": self.pedes.pk}).status_code, 400)
        self.assertEqual(self.client.get(url, {"district": "abc"}).status_code, 400)
        self.assertContains(self.client.get(url, {"district": self.klari.pk}), "Duren")
        self.assertNotContains(self.client.get(url, {"district": self.klari.pk}), "Desa 01")

    def test_a_village_of_another_kecamatan_is_refused_and_nothing_saved(self):
        self.client.force_login(self.staff)
        data = form_data(self.far) | {"district": self.klari.pk}
        response = self.client.post(reverse("businesses:create"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errors-village", status_code=400)
        self.assertFalse(Business.objects.exists())
        # The form comes back with the chosen kecamatan's villages (the no-JavaScript path).
        self.assertEqual(
            self.options(response.content.decode(), "id_village"),
            ["Pilih desa", "Duren", "Pancawati"],
        )

    def test_staff_saves_a_village_of_the_chosen_kecamatan(self):
        self.client.force_login(self.staff)
        data = form_data(self.far) | {"district": self.telagasari.pk}
        response = self.client.post(reverse("businesses:create"), data)
        business = Business.objects.get()
        self.assertRedirects(response, business.get_absolute_url())
        self.assertEqual(business.village, self.far)

    def test_editing_starts_from_the_business_kecamatan(self):
        business = make_business(self.far)
        self.client.force_login(self.staff)
        html = self.client.get(reverse("businesses:edit", args=[business.pk])).content.decode()
        villages = self.options(html, "id_village")
        self.assertEqual(len(villages), MANY_VILLAGES + 1)
        self.assertIn(f'<option value="{self.telagasari.pk}" selected>', html)
        self.assertIn(f'<option value="{self.far.pk}" selected>', html)

    def test_a_mentor_with_few_villages_picks_the_village_directly(self):
        self.client.force_login(self.mentor.user)
        html = self.client.get(reverse("businesses:create")).content.decode()
        self.assertNotIn('id="id_district"', html)
        self.assertIn("Duren", self.options(html, "id_village")[1])
