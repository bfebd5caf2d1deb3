"""Progress reporting: periods, the one source of figures, targets and the dashboard."""

from datetime import date, timedelta

from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistance.models import ACTIVE_STATUSES, Case, Service, Status
from reports import figures
from reports.figures import Area, PeriodError, parse_period
from reports.models import ServiceTarget, YearTarget

from .base import PersonaTestCase
from .test_assistance import make_case
from .test_businesses import make_business

YEAR = 2026


def make_cases(spec, **fields) -> None:
    """One business with one case per (village, service, status, opened, closed)."""
    for i, (village, service, status, opened, closed) in enumerate(spec):
        make_case(
            make_business(village, f"Usaha Rahasia {i}", owner_nik="", phone="081234567890"),
            service,
            status=status,
            opened_on=opened,
            closed_on=closed,
            **fields,
        )


class PeriodTests(SimpleTestCase):
    def test_years_quarters_months_and_ranges(self):
        cases = {
            "2026": (date(2026, 1, 1), date(2026, 12, 31), "Tahun 2026"),
            "2026-q3": (date(2026, 7, 1), date(2026, 9, 30), "Triwulan III 2026"),
            "2024-02": (date(2024, 2, 1), date(2024, 2, 29), "Februari 2024"),
            "2026-01-15..2026-03-02": (
                date(2026, 1, 15),
                date(2026, 3, 2),
                "15 Januari 2026 – 2 Maret 2026",
            ),
        }
        for text, (start, end, label) in cases.items():
            with self.subTest(text):
                period = parse_period(text)
                self.assertEqual((period.start, period.end, period.label), (start, end, label))

    def test_unreadable_periods_are_refused_with_a_message(self):
        cases = {
            "2026-Q5": "Triwulan 5 tidak ada",
            "2026-13": "Bulan 13 tidak ada",
            "1850": "di luar jangkauan",
            "kemarin": "tidak dikenal",
            "2026-02-30..2026-03-01": "tidak dikenal",
            "2026-03-01..2026-02-01": "sebelum tanggal awalnya",
            "\x00": "tidak dikenal",
        }
        for text, message in cases.items():
            with self.subTest(text), self.assertRaisesMessage(PeriodError, message):
                parse_period(text)

    def test_targets_apply_only_within_one_year(self):
        self.assertEqual(parse_period("2026-Q2").year, 2026)
        self.assertIsNone(parse_period("2025-12-01..2026-01-31").year)


class FigureTests(PersonaTestCase):
    """Figures are checked against counts made here with plain ORM queries."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        old = timezone.now() - timedelta(days=30)
        spec = [
            # village, service, status, opened, closed
            (cls.duren, "nib", Status.DONE, date(YEAR, 2, 1), date(YEAR, 3, 1)),
            (cls.duren, "halal", Status.IN_PROGRESS, date(YEAR, 5, 1), None),
            (cls.duren, "pirt", Status.SUBMITTED, date(YEAR - 1, 11, 1), None),
            (cls.pancawati, "nib", Status.DONE, date(YEAR, 8, 1), date(YEAR, 9, 15)),
            (cls.pancawati, "halal", Status.REJECTED, date(YEAR, 1, 10), date(YEAR, 4, 1)),
            (cls.payungsari, "nib", Status.DONE, date(YEAR - 1, 6, 1), date(YEAR - 1, 7, 1)),
            (cls.payungsari, "nib", Status.OPEN, date(YEAR, 10, 1), None),
        ]
        make_cases(spec, last_activity_at=old)

    def expected(self, cases, period) -> dict[str, dict[str, int]]:
        """Per service code, counted with plain queries over `cases`."""
        out = {}
        for service in Service.objects.all():
            mine = cases.filter(service=service)
            within = {"closed_on__gte": period.start, "closed_on__lte": period.end}
            out[service.code] = {
                "opened": mine.filter(
                    opened_on__gte=period.start, opened_on__lte=period.end
                ).count(),
                "done": mine.filter(status=Status.DONE, **within).count(),
                "closed": mine.filter(status__in=["rejected", "cancelled"], **within).count(),
                "active": mine.filter(
                    status__in=["open", "in_progress"], opened_on__lte=period.end
                ).count(),
                "submitted": mine.filter(status="submitted", opened_on__lte=period.end).count(),
                "stalled": mine.filter(
                    status__in=ACTIVE_STATUSES, opened_on__lte=period.end
                ).count(),
            }
        return out

    def computed(self, user, period, area) -> dict[str, dict[str, int]]:
        names = ("opened", "done", "closed", "active", "submitted", "stalled")
        return {
            row.service.code: {name: getattr(row, name) for name in names}
            for row in figures.service_rows(user, period, area)
        }

    def test_regency_figures_match_plain_counts(self):
        for text in ("2026", "2026-Q1", "2025", "2026-09"):
            period = parse_period(text)
            with self.subTest(text):
                self.assertEqual(
                    self.computed(self.staff, period, Area()),
                    self.expected(Case.objects.all(), period),
                )
        done = {
            r.service.code: r.done
            for r in figures.service_rows(self.staff, parse_period("2026"), Area())
        }
        self.assertEqual(done["nib"], 2)

    def test_kecamatan_figures_match_plain_counts_and_leave_out_the_rest(self):
        period = parse_period("2026")
        klari = Case.objects.filter(business__village__district=self.klari)
        self.assertEqual(
            self.computed(self.staff, period, Area(district=self.klari)),
            self.expected(klari, period),
        )
        places = figures.place_rows(self.staff, period, Area(district=self.klari))
        self.assertEqual([p.place.name for p in places], ["Duren", "Pancawati"])
        self.assertEqual([p.done for p in places], [1, 1])

    def test_a_camat_and_a_mentor_count_only_their_area(self):
        period = parse_period("2026")
        self.assertEqual(
            self.computed(self.camat, period, Area()),
            self.expected(Case.objects.filter(business__village__district=self.klari), period),
        )
        self.assertEqual(
            self.computed(self.mentor.user, period, Area()),
            self.expected(Case.objects.filter(business__village=self.duren), period),
        )
        self.assertEqual(
            [p.place for p in figures.place_rows(self.camat, period, Area())], [self.klari]
        )

    def test_targets_give_the_achievement(self):
        year = YearTarget.objects.create(year=YEAR)
        nib = Service.objects.get(code="nib")
        ServiceTarget.objects.create(year_target=year, service=nib, cases_done=8)
        ServiceTarget.objects.create(
            year_target=year, service=nib, district=self.klari, cases_done=4
        )
        regency = {
            r.service.code: r
            for r in figures.service_rows(self.staff, parse_period("2026"), Area())
        }
        self.assertEqual((regency["nib"].target, regency["nib"].achieved), (8, 25.0))
        self.assertIsNone(regency["halal"].achieved)
        klari = {
            r.service.code: r
            for r in figures.service_rows(
                self.staff, parse_period("2026"), Area(district=self.klari)
            )
        }
        self.assertEqual((klari["nib"].target, klari["nib"].achieved), (4, 50.0))
        # Targets are for whole areas: a mentor's or camat's partial count gets none.
        for user, area in (
            (self.mentor.user, Area()),
            (self.camat, Area()),
            (self.mentor.user, Area(district=self.klari)),
        ):
            rows = figures.service_rows(user, parse_period("2026"), area)
            self.assertEqual([r.target for r in rows], [None] * len(rows))
        camat = figures.service_rows(self.camat, parse_period("2026"), Area(district=self.klari))
        self.assertEqual(camat[0].target, 4)


class ChartFigureTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        nib = Service.objects.get(code="nib")
        first, second = nib.steps.order_by("order")[:2]
        spec = [
            (Status.DONE, date(YEAR, 2, 1), date(YEAR, 3, 1), None),  # 28 days
            (Status.DONE, date(YEAR, 8, 1), date(YEAR, 9, 15), None),  # 45 days
            (Status.DONE, date(YEAR, 1, 1), date(YEAR, 9, 30), None),  # 272 days
            (Status.IN_PROGRESS, date(YEAR, 9, 1), None, first),
            (Status.IN_PROGRESS, date(YEAR, 9, 1), None, second),
            (Status.OPEN, date(YEAR, 10, 1), None, None),
        ]
        for i, (status, opened, closed, step) in enumerate(spec):
            make_case(
                make_business(cls.duren, f"Usaha {i}", owner_nik=""),
                "nib",
                status=status,
                opened_on=opened,
                closed_on=closed,
                step=step,
            )

    def test_median_days_from_opening_to_done(self):
        rows = {
            r.service.code: r
            for r in figures.compute(self.staff, parse_period("2026"), Area()).services
        }
        self.assertEqual(rows["nib"].median_days, 45)
        self.assertIsNone(rows["halal"].median_days)
        q1 = figures.compute(self.staff, parse_period("2026-Q1"), Area()).services
        self.assertEqual(q1[0].median_days, 28)

    def test_cases_done_per_month_cover_every_month_of_the_period(self):
        monthly = figures.done_per_month(self.staff, parse_period("2026-Q3"), Area())
        self.assertEqual(monthly, [("Jul 2026", 0), ("Agu 2026", 0), ("Sep 2026", 2)])

    def test_the_funnel_counts_cases_that_reached_each_step(self):
        nib = Service.objects.get(code="nib")
        funnel = figures.funnel(self.staff, parse_period("2026"), Area(), nib)
        steps = list(nib.steps.order_by("order"))
        # Three done cases passed every step; one is at step 1, one at step 2.
        self.assertEqual([n for _, n in funnel], [5, 4, 3][: len(steps)])
        self.assertEqual(funnel[0][0], f"1. {steps[0].name}")


class ChartMarkupTests(SimpleTestCase):
    def test_svg_numbers_are_never_localised(self):
        from django.template.loader import render_to_string

        from reports import charts

        chart = charts.value_bars([(f"Bulan {i}", 1500 + i) for i in range(70)])
        self.assertGreater(chart.height, 1000)
        svg = render_to_string(
            "reports/_value_chart.html", {"chart": chart, "id": "c", "title": "t", "desc": "d"}
        )
        self.assertIn(f'viewBox="0 0 140 {chart.height}"', svg)
        self.assertNotRegex(svg, r'(y|width)="\d+\.\d{3}"')


class DashboardTests(PersonaTestCase):
    url = reverse("reports:dashboard")

    def test_staff_sees_the_regency_and_drills_down(self):
        make_case(make_business(self.payungsari, owner_nik=""), "nib", opened_on=date(YEAR, 3, 1))
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"periode": "2026"})
        self.assertContains(response, "Tahun 2026")
        self.assertContains(response, f"kecamatan={self.pedes.code}")
        self.assertContains(response, "<title")
        pedes = self.client.get(self.url, {"periode": "2026", "kecamatan": self.pedes.code})
        self.assertContains(pedes, "Kecamatan Pedes")
        self.assertContains(pedes, f"desa={self.payungsari.code}")

    def test_htmx_gets_only_the_results(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"periode": "2026"}, headers={"HX-Request": "true"})
        self.assertTrue(response.content.decode().lstrip().startswith('<section id="results"'))

    def test_an_empty_period_says_there_is_no_data(self):
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(self.url, {"periode": "2031"}), "Belum ada data")

    def test_a_bad_period_or_an_unknown_kecamatan_is_refused_with_a_message(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"periode": "2026-Q5"})
        self.assertContains(response, "Triwulan 5 tidak ada", status_code=400)
        response = self.client.get(self.url, {"periode": "2026", "kecamatan": "32.15.99"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errors-kecamatan", status_code=400)

    def test_a_camat_cannot_ask_for_another_kecamatan(self):
        self.client.force_login(self.camat)
        response = self.client.get(self.url, {"periode": "2026", "kecamatan": self.pedes.code})
        self.assertEqual(response.status_code, 400)
        own = self.client.get(self.url, {"periode": "2026"})
        self.assertContains(own, f'<option value="{self.klari.code}"')
        self.assertNotContains(own, f'<option value="{self.pedes.code}"')

    def test_outsider_gets_404_and_anonymous_the_login_page(self):
        self.client.force_login(self.outsider)
        for url in (self.url, reverse("reports:targets", args=[YEAR])):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("reports:copy_targets", args=[YEAR])).status_code, 404
        )
        self.client.logout()
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")

    def test_the_dashboard_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        counts = []
        for n in (1, 10):
            for i in range(n):
                business = make_business(self.duren, f"Usaha {n}-{i}", owner_nik="")
                make_case(business, "nib", opened_on=date(YEAR, 2, 1))
            for area in ({}, {"kecamatan": self.klari.code}):
                with CaptureQueriesContext(connection) as queries:
                    self.client.get(self.url, {"periode": "2026"} | area)
                counts.append(len(queries))
        self.assertEqual(counts[:2], counts[2:])


class TargetTests(PersonaTestCase):
    def url(self, year=YEAR) -> str:
        return reverse("reports:targets", args=[year])

    def data(self, **cells) -> dict:
        values = {
            "villages_mentored": "12",
            "visits_per_mentor_month": "4",
            "cooperative_activities": "20",
            "cooperative_participants": "600",
            "budget_absorption": "90",
        }
        return values | cells

    def cell(self, service_code: str, district=None) -> str:
        service = Service.objects.get(code=service_code)
        return f"t_{district.pk if district else 0}_{service.pk}"

    def test_staff_sets_targets_per_service_for_the_regency_and_a_kecamatan(self):
        self.client.force_login(self.staff)
        data = self.data(**{self.cell("nib"): "40", self.cell("nib", self.klari): "10"})
        self.assertRedirects(self.client.post(self.url(), data), self.url())
        target = YearTarget.objects.get(year=YEAR)
        self.assertEqual((target.villages_mentored, target.updated_by), (12, self.staff))
        stored = set(target.service_targets.values_list("district", "service__code", "cases_done"))
        self.assertEqual(stored, {(None, "nib", 40), (self.klari.pk, "nib", 10)})
        # Blank removes a target; only the changed cell is written.
        self.client.post(
            self.url(), self.data(**{self.cell("nib"): "40", "version": target.version})
        )
        self.assertEqual(list(target.service_targets.values_list("cases_done", flat=True)), [40])

    def test_a_negative_target_is_refused_next_to_the_field_and_nothing_saved(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            self.url(), self.data(budget_absorption="-5", **{self.cell("halal"): "-1"})
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "errors-budget_absorption", status_code=400)
        self.assertContains(response, 'class="error"', status_code=400)
        self.assertFalse(YearTarget.objects.exists())
        self.assertFalse(ServiceTarget.objects.exists())

    def test_a_stale_page_does_not_overwrite_a_newer_save(self):
        self.client.force_login(self.staff)
        self.client.post(self.url(), self.data())
        opened = YearTarget.objects.get().version
        self.client.post(self.url(), self.data(villages_mentored="15", version=opened))
        response = self.client.post(self.url(), self.data(villages_mentored="20", version=opened))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(YearTarget.objects.get().villages_mentored, 15)

    def test_copy_last_years_targets(self):
        previous = YearTarget.objects.create(year=YEAR - 1, villages_mentored=9)
        ServiceTarget.objects.create(
            year_target=previous, service=Service.objects.get(code="halal"), cases_done=7
        )
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(self.url()), "Salin target 2025")
        self.client.post(reverse("reports:copy_targets", args=[YEAR]))
        copy = YearTarget.objects.get(year=YEAR)
        self.assertEqual(copy.villages_mentored, 9)
        self.assertEqual(list(copy.service_targets.values_list("cases_done", flat=True)), [7])
        # A second copy changes nothing.
        self.client.post(reverse("reports:copy_targets", args=[YEAR]))
        self.assertEqual(YearTarget.objects.filter(year=YEAR).count(), 1)

    def test_read_only_users_see_the_targets_and_get_403_on_writes(self):
        YearTarget.objects.create(year=YEAR - 1)
        for user in (self.leader, self.camat, self.mentor.user):
            self.client.force_login(user)
            with self.subTest(user.username):
                self.assertEqual(self.client.get(self.url()).status_code, 200)
                self.assertEqual(self.client.post(self.url(), self.data()).status_code, 403)
                copy = reverse("reports:copy_targets", args=[YEAR])
                self.assertEqual(self.client.post(copy).status_code, 403)
        self.assertFalse(YearTarget.objects.filter(year=YEAR).exists())

    def test_a_year_out_of_range_is_404(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(self.url(99999)).status_code, 404)


class HomePanelTests(PersonaTestCase):
    def test_the_landing_page_shows_this_years_progress_and_links_the_dashboard(self):
        year = timezone.localdate().year
        target = YearTarget.objects.create(year=year)
        ServiceTarget.objects.create(
            year_target=target, service=Service.objects.get(code="nib"), cases_done=4
        )
        make_case(
            make_business(self.duren, owner_nik=""),
            "nib",
            status=Status.DONE,
            opened_on=date(year, 1, 1),
            closed_on=date(year, 1, 2),
        )
        self.client.force_login(self.staff)
        page = self.client.get(reverse("home"))
        self.assertContains(page, "1 dari 4 kasus pendampingan selesai (25,0% target)")
        self.assertContains(page, reverse("reports:dashboard"))


class HeadlineTests(PersonaTestCase):
    def test_headline_targets_are_compared_with_the_periods_figures(self):
        from assistance.models import Visit

        YearTarget.objects.create(year=YEAR, villages_mentored=2, visits_per_mentor_month=2)
        for day in (date(YEAR, 3, 1), date(YEAR, 3, 20), date(YEAR, 4, 2)):
            Visit.objects.create(
                mentor=self.mentor, village=self.duren, date=day, activities="Pendataan"
            )
        result = figures.compute(self.staff, parse_period("2026-Q2"), Area(), full=True)
        items = {item.label: item for item in result.headline}
        villages = items["Desa yang dikunjungi Patriot Desa"]
        self.assertEqual((villages.realised, villages.target, villages.achieved), (1, 2, 50.0))
        # One visit in the quarter's three months by one mentor.
        self.assertEqual(items["Kunjungan per Patriot Desa per bulan"].realised, round(1 / 3, 1))
        kecamatan = figures.compute(
            self.staff, parse_period("2026-Q2"), Area(district=self.klari), full=True
        )
        self.assertTrue(all(item.target is None for item in kecamatan.headline))
