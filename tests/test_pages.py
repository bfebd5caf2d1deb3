"""Landing pages, the village list and detail, the extreme-poverty flag form, and the admin."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villages.models import Village

from .base import PersonaTestCase, make_mentor


def add_villages(district, count: int, start: int = 100) -> list[Village]:
    return [
        Village.objects.create(
            code=f"{district.code}.2{start + n:03d}",
            district=district,
            name=f"Desa Uji {start + n}",
        )
        for n in range(count)
    ]


class VillageListTests(PersonaTestCase):
    url = reverse("villages:list")

    def test_search_by_name_or_code(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"q": "duren"})
        self.assertContains(response, "Duren")
        self.assertNotContains(response, "Payungsari")
        response = self.client.get(self.url, {"q": "32.15.10"})
        self.assertContains(response, "Payungsari")
        self.assertNotContains(response, "Duren")

    def test_filters_by_kecamatan_extreme_poverty_and_active_mentor(self):
        self.client.force_login(self.staff)
        cases = [
            ({"kecamatan": "32.15.05"}, {"Duren", "Pancawati"}),
            ({"miskin_ekstrem": "ya"}, {"Payungsari"}),
            ({"miskin_ekstrem": "tidak"}, {"Duren", "Pancawati"}),
            ({"pendamping": "ada"}, {"Duren", "Payungsari"}),
            ({"pendamping": "belum"}, {"Pancawati"}),  # its mentor's assignment has expired
            ({"kecamatan": "32.15.05", "pendamping": "ada"}, {"Duren"}),
        ]
        for params, expected in cases:
            with self.subTest(params):
                response = self.client.get(self.url, params)
                shown = {v.name for v in response.context["page"].object_list}
                self.assertEqual(shown, expected)

    def test_htmx_request_gets_only_the_results_fragment(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"q": "duren"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        self.assertTrue(body.lstrip().startswith('<section id="results"'))
        self.assertNotIn("<html", body)
        self.assertIn("Duren", body)
        self.assertEqual(response["Vary"].count("HX-Request"), 1)

    def test_plain_request_gets_the_whole_page(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"q": "duren"})
        self.assertContains(response, "<html")
        self.assertContains(response, 'id="results"')

    def test_empty_state_and_unknown_kecamatan(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"q": "tidak-ada-desa-ini"})
        self.assertContains(response, "Tidak ada desa yang cocok")
        response = self.client.get(self.url, {"kecamatan": "32.15.99"})
        self.assertContains(response, "Masukkan pilihan yang valid")

    def test_viewer_cannot_filter_on_another_kecamatan(self):
        self.client.force_login(self.camat)
        response = self.client.get(self.url, {"kecamatan": "32.15.10"})
        self.assertContains(response, "Masukkan pilihan yang valid")
        self.assertEqual(
            {v.name for v in response.context["page"].object_list}, {"Duren", "Pancawati"}
        )

    def test_pagination_keeps_the_filters(self):
        add_villages(self.klari, 30)
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"kecamatan": "32.15.05"})
        self.assertContains(response, "Halaman 1 dari 2")
        self.assertContains(response, "?kecamatan=32.15.05&amp;page=2")
        second = self.client.get(self.url, {"kecamatan": "32.15.05", "page": 2})
        self.assertEqual(len(second.context["page"].object_list), 32 - 25)

    def test_list_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        counts = []
        for extra in (0, 20):
            villages = add_villages(self.klari, extra, start=200 + len(counts) * 50)
            for village in villages[:10]:
                make_mentor(f"m{village.pk}", village)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        with self.assertNumQueries(counts[0]):
            self.client.get(self.url)
        # session, user, 2× permissions, kecamatan choices, count, villages, mentors,
        # and the navigation's mentor/viewer look-ups
        self.assertLessEqual(counts[0], 10)


class HomePageTests(PersonaTestCase):
    def test_staff_overview_counts_per_kecamatan(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("home"))
        districts = {d.name: d for d in response.context["districts"]}
        klari, pedes = districts["Klari"], districts["Pedes"]
        self.assertEqual(
            (klari.village_count, klari.mentored_count, klari.extreme_count), (2, 1, 0)
        )
        self.assertEqual(
            (pedes.village_count, pedes.mentored_count, pedes.extreme_count), (1, 1, 1)
        )
        self.assertEqual(response.context["totals"]["mentors"], 2)
        self.assertContains(response, "Miskin ekstrem 2022")

    def test_staff_overview_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        with CaptureQueriesContext(connection) as before:
            self.client.get(reverse("home"))
        for village in add_villages(self.pedes, 15):
            make_mentor(f"m{village.pk}", village)
        with CaptureQueriesContext(connection) as after:
            self.client.get(reverse("home"))
        self.assertEqual(len(before), len(after))

    def test_mentor_sees_only_current_villages_and_past_ones_apart(self):
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("home"))
        self.assertEqual([a.village.name for a in response.context["current"]], ["Duren"])
        self.assertNotContains(response, "Payungsari")

    def test_mentor_without_active_assignment_gets_a_clear_empty_state(self):
        self.client.force_login(self.expired_mentor.user)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "belum punya penugasan aktif")
        self.assertContains(response, "Penugasan sebelumnya")

    def test_kecamatan_viewer_sees_own_kecamatan_only(self):
        self.client.force_login(self.camat)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Duren")
        self.assertContains(response, "Pancawati")
        self.assertNotContains(response, "Payungsari")


class VillageDetailTests(PersonaTestCase):
    def test_shows_code_kecamatan_mentor_and_flag(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("villages:detail", args=[self.payungsari.code]))
        self.assertContains(response, "32.15.10.2001")
        self.assertContains(response, "Pedes")
        self.assertContains(response, "Other_Mentor")
        self.assertContains(response, "Miskin ekstrem 2022")

    def test_edit_form_only_for_those_who_may_change(self):
        url = reverse("villages:detail", args=[self.duren.code])
        flag_url = reverse("villages:flag", args=[self.duren.code])
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(url), flag_url)
        for user in (self.camat, self.mentor.user):
            self.client.force_login(user)
            self.assertNotContains(self.client.get(url), flag_url)

    def test_detail_runs_a_constant_number_of_queries(self):
        url = reverse("villages:detail", args=[self.duren.code])
        self.client.force_login(self.staff)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for n in range(5):
            make_mentor(f"extra{n}", self.duren)
        with CaptureQueriesContext(connection) as after:
            self.client.get(url)
        self.assertEqual(len(before), len(after))


class ExtremePovertyFlagTests(PersonaTestCase):
    def post(self, village, year, seen="", **headers):
        return self.client.post(
            reverse("villages:flag", args=[village.code]),
            {"extreme_poverty_year": year, "seen": seen},
            headers=headers,
        )

    def test_staff_sets_and_clears_the_flag(self):
        self.client.force_login(self.staff)
        response = self.post(self.duren, "2024")
        self.assertRedirects(response, reverse("villages:detail", args=[self.duren.code]))
        self.duren.refresh_from_db()
        self.assertEqual(self.duren.extreme_poverty_year, 2024)
        self.post(self.duren, "", seen="2024")
        self.duren.refresh_from_db()
        self.assertIsNone(self.duren.extreme_poverty_year)

    def test_the_change_is_recorded_with_who_and_when(self):
        self.client.force_login(self.staff)
        self.post(self.duren, "2024")
        record = self.duren.history.latest()
        self.assertEqual((record.history_user, record.extreme_poverty_year), (self.staff, 2024))
        page = self.client.get(reverse("history_object", args=["villages.village", self.duren.pk]))
        self.assertContains(page, "2024")

    def test_htmx_post_answers_with_the_flag_fragment(self):
        self.client.force_login(self.staff)
        response = self.post(self.duren, "2024", **{"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="flag"')
        self.assertContains(response, "Miskin ekstrem 2024")
        self.assertNotContains(response, "<html")

    def test_a_bad_year_is_shown_next_to_the_field_and_nothing_changes(self):
        self.client.force_login(self.staff)
        response = self.post(self.duren, "1890")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'class="field invalid"', status_code=400)
        self.duren.refresh_from_db()
        self.assertIsNone(self.duren.extreme_poverty_year)

    def test_a_stale_form_is_refused_with_the_current_value(self):
        self.client.force_login(self.staff)
        # Someone else set 2023 after this user opened the page (seen: unflagged).
        Village.objects.filter(pk=self.duren.pk).update(extreme_poverty_year=2023)
        response = self.post(self.duren, "2025", seen="")
        self.assertContains(response, "sudah diubah orang lain", status_code=400)
        self.assertContains(response, "2023", status_code=400)
        self.duren.refresh_from_db()
        self.assertEqual(self.duren.extreme_poverty_year, 2023)
        # Having now seen 2023, the same user may overrule it.
        self.post(self.duren, "2025", seen="2023")
        self.duren.refresh_from_db()
        self.assertEqual(self.duren.extreme_poverty_year, 2025)

    def test_read_only_users_get_403(self):
        for user in (self.camat, self.leader, self.mentor.user):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.post(self.duren, "2024").status_code, 403)
        self.duren.refresh_from_db()
        self.assertIsNone(self.duren.extreme_poverty_year)

    def test_outsiders_get_404(self):
        for user in (self.outsider, self.other_mentor.user, self.expired_mentor.user):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.post(self.duren, "2024").status_code, 404)

    def test_get_is_not_allowed_and_anonymous_goes_to_login(self):
        self.client.force_login(self.staff)
        url = reverse("villages:flag", args=[self.duren.code])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.logout()
        self.assertEqual(self.post(self.duren, "2024").status_code, 302)


class AdminTests(PersonaTestCase):
    def setUp(self) -> None:
        from django.contrib.auth import get_user_model

        self.admin = get_user_model().objects.create_superuser("root", password="x")
        self.client.force_login(self.admin)

    def test_reference_data_changelists_open_with_search_and_filters(self):
        for model in (
            "province",
            "regency",
            "district",
            "village",
            "mentor",
            "assignment",
            "kecamatanviewer",
        ):
            with self.subTest(model):
                response = self.client.get(
                    reverse(f"admin:villages_{model}_changelist"), {"q": "a"}
                )
                self.assertEqual(response.status_code, 200)
        response = self.client.get(reverse("admin:villages_assignment_changelist"), {"aktif": "ya"})
        self.assertEqual(response.context["cl"].result_count, 2)
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 200)

    def test_non_admin_staff_cannot_open_the_admin(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get("/admin/").status_code, 302)

    def test_village_import_with_a_bad_row_writes_nothing_and_names_the_row(self):
        import tablib

        from villages.admin import VillageResource

        data = tablib.Dataset(headers=["code", "district", "name", "extreme_poverty_year"])
        data.append(["32.15.05.2001", "32.15.05", "Duren", "2023"])
        data.append(["32.15.05.2003", "32.15.99", "Walahar", ""])  # unknown kecamatan
        data.append(["32.15.05.2004", "32.15.05", "Kiarapayung", "1800"])  # bad year
        result = VillageResource().import_data(data, dry_run=False, raise_errors=False)
        self.assertTrue(result.has_validation_errors() or result.has_errors())
        bad_rows = {row.number for row in result.invalid_rows} | {
            number for number, _errors in result.row_errors()
        }
        self.assertEqual(bad_rows, {2, 3})
        self.duren.refresh_from_db()
        self.assertIsNone(self.duren.extreme_poverty_year)
        self.assertFalse(
            Village.objects.filter(code__in=["32.15.05.2003", "32.15.05.2004"]).exists()
        )


class PageTitleTests(PersonaTestCase):
    def test_village_page_title_is_just_the_village(self):
        self.client.force_login(self.staff)
        html = self.client.get(reverse("villages:detail", args=[self.duren.code])).content
        title = html.decode().split("<title>")[1].split("</title>")[0]
        self.assertEqual(title.strip(), "Desa Duren · Karawang UMKM")
