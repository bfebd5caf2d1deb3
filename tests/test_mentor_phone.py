"""A mentor's phone: the home shows the day's work; list filters fold behind "Filter (n)"."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistance.models import Case, Visit

from .base import PersonaTestCase
from .test_assistance import make_case
from .test_businesses import make_business


def age(case: Case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now() - timedelta(days=days))


class MentorHomeTests(PersonaTestCase):
    def setUp(self) -> None:
        self.url = reverse("home")

    def add_work(self, village, prefix: str, stalled_days: int = 20) -> None:
        for i, (status, days) in enumerate(
            (("open", stalled_days), ("in_progress", 2), ("done", 40))
        ):
            business = make_business(village, f"{prefix} {i}", owner_nik="")
            age(make_case(business, "kemasan", status=status), days)
        today = timezone.localdate()
        for day in (today, today.replace(day=1), today.replace(day=1) - timedelta(days=1)):
            Visit.objects.create(mentor=self.mentor, village=village, date=day, activities="x")

    def test_mentor_sees_open_and_stalled_cases_visits_this_month_and_the_record_button(self):
        self.add_work(self.duren, "Duren")
        self.add_work(self.payungsari, "Payung")  # another mentor's village: not counted
        self.client.force_login(self.mentor.user)
        response = self.client.get(self.url)
        panel = response.context["panels"][0]
        self.assertIn("<strong>2</strong> kasus berjalan", panel)
        self.assertIn("<strong>1</strong> kasus macet", panel)
        self.assertIn("<strong>2</strong> kunjungan saya bulan ini", panel)
        self.assertIn(f'href="{reverse("assistance:visit_create")}"', panel)
        self.assertIn(f'href="{reverse("assistance:my_tasks")}"', panel)
        self.assertIn("?status=aktif&amp;macet=on", panel)
        # The longest idle first, flagged; nothing done, nothing of another village.
        self.assertLess(panel.index("Duren 0"), panel.index("Duren 1"))
        self.assertEqual(panel.count('class="stalled"'), 1)
        self.assertNotIn("Duren 2", panel)
        self.assertNotIn("Payung", panel)
        self.assertContains(response, "Duren")  # the village cards are still there

    def test_the_stalled_link_lists_exactly_the_stalled_cases(self):
        self.add_work(self.duren, "Duren")
        self.client.force_login(self.mentor.user)
        response = self.client.get(reverse("assistance:list") + "?status=aktif&macet=on")
        names = [case.business.name for case in response.context["page"].object_list]
        self.assertEqual(names, ["Duren 0"])

    def test_a_mentor_without_an_active_assignment_gets_no_record_button(self):
        self.client.force_login(self.expired_mentor.user)
        response = self.client.get(self.url)
        self.assertContains(response, "Pekerjaan hari ini")
        self.assertNotContains(response, reverse("assistance:visit_create"))

    def test_staff_and_camat_homes_get_no_mentor_panel(self):
        for user in (self.staff, self.camat):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertNotContains(self.client.get(self.url), "Pekerjaan hari ini")

    def test_home_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.mentor.user)
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url)
        for n in range(4):
            self.add_work(self.duren, f"Batch {n}")
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["panels"]), 1)
        self.assertEqual(len(before), len(after))
        # session, user (with its mentor), permissions, assignments, the user's area, and the
        # panel's case counts, longest idle cases and visit count
        self.assertLessEqual(len(after), 8)


class FoldedFilterTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.staff)

    def test_business_filters_are_folded_and_count_those_in_use(self):
        url = reverse("businesses:list")
        for params, label in (
            ({}, "Filter<"),
            ({"q": "keripik"}, "Filter<"),  # the search field stays in sight: not counted
            ({"sektor": "makanan", "miskin_ekstrem": "on"}, "Filter (2)<"),
            ({"sektor": "makanan", "kecamatan": "32.15.05", "legalitas": ""}, "Filter (2)<"),
        ):
            with self.subTest(params):
                response = self.client.get(url, params)
                self.assertContains(response, '<details class="filter-panel">')
                self.assertContains(response, f'<span id="filter-count">{label}')
                self.assertContains(response, 'type="search"')

    def test_case_filters_use_the_same_fold(self):
        response = self.client.get(
            reverse("assistance:list"), {"status": "aktif", "macet": "on", "layanan": "halal"}
        )
        self.assertContains(response, '<span id="filter-count">Filter (3)<')
        html = response.content.decode()
        # Shown in the order the form declares, the checkbox last.
        order = ["id_layanan", "id_status", "id_tahap", "id_kecamatan", "id_desa", "id_mentor"]
        positions = [html.index(f'id="{name}"') for name in [*order, "id_macet"]]
        self.assertEqual(positions, sorted(positions))

    def test_an_invalid_filter_opens_the_panel_to_show_its_error(self):
        response = self.client.get(reverse("businesses:list"), {"kecamatan": "32.15.99"})
        self.assertContains(response, '<details class="filter-panel" open>')
        self.assertContains(response, '<span id="filter-count">Filter<')
        self.assertContains(response, "Masukkan pilihan yang valid")

    def test_an_htmx_filter_updates_the_count_out_of_band(self):
        response = self.client.get(
            reverse("businesses:list"), {"sektor": "makanan"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, '<span id="filter-count" hx-swap-oob="true">Filter (1)<')
        self.assertContains(response, 'id="results"')
        plain = self.client.get(reverse("businesses:list"), {"sektor": "makanan"})
        self.assertNotContains(plain, "hx-swap-oob")
