"""National scale (issue 10): keyset pages, capped counts, index-friendly scoping and search, and
the scale data generator. Speed itself is measured by `manage.py bench`, never asserted here."""

import unittest
from unittest import mock

from django.core.exceptions import EmptyResultSet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance.models import Case, Service, Status
from businesses.models import Business, Product
from businesses.validators import clean_nik
from core.pagination import KeysetPaginator, capped_count
from villages.models import Assignment, District, Mentor, Village

from .base import PersonaTestCase
from .test_businesses import make_business

postgresql_only = unittest.skipUnless(
    connection.vendor == "postgresql", "needs PostgreSQL (trigram indexes, query plans)"
)


class KeysetPaginationTests(PersonaTestCase):
    url = reverse("businesses:list")

    def setUp(self):
        # Equal names make the pk the tie-breaker, which a keyset page must respect.
        for i in range(60):
            make_business(self.duren, f"Usaha {i % 7:02d}", owner_nik="")

    def walk(self, start: dict) -> list[int]:
        """Follow the "next" links from `start` to the end; the ids in the order shown."""
        seen, query = [], start
        while True:
            page = self.client.get(self.url, query).context["page"]
            seen += [b.pk for b in page.object_list]
            if not page.has_next():
                return seen
            query = {"setelah": page.next_cursor}

    def test_next_links_visit_every_row_once_in_order(self):
        self.client.force_login(self.staff)
        expected = list(Business.objects.order_by("name", "pk").values_list("pk", flat=True))
        self.assertEqual(self.walk({}), expected)

    def test_a_deep_page_holds_the_rows_an_offset_would(self):
        self.client.force_login(self.staff)
        ordered = list(Business.objects.order_by("name", "pk"))
        cursor = KeysetPaginator(Business.objects.all(), ("name", "pk"), 25).cursor(ordered[29])
        page = self.client.get(self.url, {"setelah": cursor}).context["page"]
        self.assertEqual([b.pk for b in page.object_list], [b.pk for b in ordered[30:55]])

    def test_previous_links_go_back_page_by_page(self):
        self.client.force_login(self.staff)
        first = self.client.get(self.url).context["page"]
        second = self.client.get(self.url, {"setelah": first.next_cursor}).context["page"]
        third = self.client.get(self.url, {"setelah": second.next_cursor}).context["page"]
        back = self.client.get(self.url, {"sebelum": third.previous_cursor}).context["page"]
        self.assertEqual(back.object_list, second.object_list)
        again = self.client.get(self.url, {"sebelum": back.previous_cursor}).context["page"]
        self.assertEqual(again.object_list, first.object_list)
        self.assertTrue(again.is_first)
        self.assertFalse(again.has_previous())

    def test_links_keep_the_filters(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"sektor": "makanan"})
        page = response.context["page"]
        self.assertContains(response, f"?sektor=makanan&amp;setelah={page.next_cursor}")

    def test_a_tampered_cursor_shows_the_first_page(self):
        self.client.force_login(self.staff)
        first = self.client.get(self.url).context["page"].object_list
        for cursor in ("%%%", "bm90IGpzb24", "WyJhIl0", "WyJhIiwieCJd", "W251bGwsMV0", "x" * 3000):
            with self.subTest(cursor):
                response = self.client.get(self.url, {"setelah": cursor})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["page"].object_list, first)

    def test_the_case_list_pages_by_activity_too(self):
        service = Service.objects.get(code="nib")
        for business in Business.objects.all():
            Case.objects.create(business=business, service=service)
        self.client.force_login(self.staff)
        url = reverse("assistance:list")
        seen, query = [], {}
        while True:
            page = self.client.get(url, query).context["page"]
            seen += [c.pk for c in page.object_list]
            if not page.has_next():
                break
            query = {"setelah": page.next_cursor}
        expected = Case.objects.order_by("-last_activity_at", "-pk").values_list("pk", flat=True)
        self.assertEqual(seen, list(expected))


class CappedCountTests(PersonaTestCase):
    def test_exact_below_the_cap_and_capped_above(self):
        for i in range(6):
            make_business(self.duren, f"Usaha {i}", owner_nik="")
        self.assertEqual(capped_count(Business.objects.all(), cap=10).value, 6)
        self.assertFalse(capped_count(Business.objects.all(), cap=10).capped)
        capped = capped_count(Business.objects.all(), cap=4)
        self.assertEqual((capped.value, capped.capped), (4, True))

    def test_the_list_says_more_than_when_capped(self):
        for i in range(30):
            make_business(self.duren, f"Usaha {i}", owner_nik="")
        self.client.force_login(self.staff)
        with mock.patch("core.pagination.COUNT_CAP", 26):
            response = self.client.get(reverse("businesses:list"))
        self.assertContains(response, "lebih dari 26 usaha")
        response = self.client.get(reverse("businesses:list"))
        self.assertContains(response, "30 usaha")
        self.assertNotContains(response, "lebih dari")

    def test_a_list_that_fits_one_page_is_not_counted_again(self):
        for i in range(3):
            make_business(self.duren, f"Usaha {i}", owner_nik="")
        self.client.force_login(self.staff)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("businesses:list"))
        self.assertContains(response, "3 usaha")
        self.assertFalse([q for q in queries if "SELECT COUNT(" in q["sql"].upper()])

    def test_board_columns_are_capped_in_one_query(self):
        service = Service.objects.get(code="halal")
        for i in range(5):
            Case.objects.create(
                business=make_business(self.duren, f"Usaha {i}", owner_nik=""), service=service
            )
        self.client.force_login(self.staff)
        with mock.patch("assistance.views.BOARD_COUNT_CAP", 3):
            response = self.client.get(reverse("assistance:board", args=["halal"]))
        column = next(c for c in response.context["columns"] if c["status"] == Status.OPEN)
        self.assertEqual((column["count"].value, column["count"].capped), (3, True))
        self.assertContains(response, "&gt; 3")


class ScopingPlanTests(PersonaTestCase):
    """The mentor's and the camat's filters are one IN (… UNION …) each, which PostgreSQL joins
    from the user's villages; an OR of two subqueries became a filter over every row."""

    def plan(self, queryset) -> str:
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # matches nothing: no query at all
            return ""
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    @postgresql_only
    def test_no_row_by_row_subplan_for_any_role(self):
        for user in (self.mentor.user, self.camat):
            for queryset in (
                Case.objects.visible_to(user),
                Business.objects.visible_to(user),
                Case.objects.editable_by(user),
            ):
                with self.subTest(user=user.username, model=queryset.model.__name__):
                    self.assertNotIn("SubPlan", self.plan(queryset))

    def test_the_scope_is_unchanged(self):
        duren = make_business(self.duren, "Di Duren", owner_nik="")
        make_business(self.payungsari, "Di Payungsari", owner_nik="")
        self.assertEqual(list(Business.objects.visible_to(self.mentor.user)), [duren])
        self.assertEqual(list(Business.objects.visible_to(self.camat)), [duren])
        self.assertEqual(list(Business.objects.editable_by(self.camat)), [])
        self.assertEqual(Business.objects.visible_to(self.staff).count(), 2)


class TrigramSearchTests(PersonaTestCase):
    def test_search_finds_name_owner_and_product(self):
        by_name = make_business(self.duren, "Dodol Nanas Sari", owner_nik="")
        by_owner = make_business(self.duren, "Warung", owner_name="Siti Dodolwati", owner_nik="")
        by_product = make_business(self.duren, "Toko Berkah", owner_nik="")
        Product.objects.create(business=by_product, name="Dodol Ketan")
        make_business(self.duren, "Keripik", owner_nik="")
        for within_area in (False, True):
            with self.subTest(within_area=within_area):
                found = set(Business.objects.search("DODOL", within_area=within_area))
                self.assertEqual(found, {by_name, by_owner, by_product})

    def test_few_matches_are_collected_once_as_ids(self):
        """A page and its count then filter by ids instead of each searching again."""
        found = {make_business(self.duren, f"Dodol {i}", owner_nik="") for i in range(3)}
        make_business(self.duren, "Keripik", owner_nik="")
        few = Business.objects.search("dodol")
        self.assertNotIn("LIKE", str(few.query).upper())
        with mock.patch("businesses.models.FEW_MATCHES", 2):
            many = Business.objects.search("dodol")
        self.assertIn("LIKE", str(many.query).upper())
        self.assertEqual(set(few), found)
        self.assertEqual(set(many), found)

    def test_a_mentor_searches_only_their_villages(self):
        mine = make_business(self.duren, "Dodol Duren", owner_nik="")
        theirs = make_business(self.payungsari, "Dodol Payungsari", owner_nik="")
        service = Service.objects.get(code="nib")
        my_case = Case.objects.create(business=mine, service=service)
        Case.objects.create(business=theirs, service=service)
        self.client.force_login(self.mentor.user)
        page = self.client.get(reverse("businesses:list"), {"q": "dodol"}).context["page"]
        self.assertEqual(page.object_list, [mine])
        page = self.client.get(reverse("assistance:list"), {"q": "dodol"}).context["page"]
        self.assertEqual(page.object_list, [my_case])
        self.client.force_login(self.staff)
        page = self.client.get(reverse("assistance:list"), {"q": "dodol"}).context["page"]
        self.assertEqual(len(page.object_list), 2)

    @postgresql_only
    def test_name_search_uses_the_trigram_index(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset, index in (
            (Business.objects.filter(name__icontains="dodol"), "businesses_business_name_trgm"),
            (
                Business.objects.filter(owner_name__icontains="siti"),
                "businesses_business_owner_trgm",
            ),
            (Product.objects.filter(name__icontains="dodol"), "businesses_product_name_trgm"),
        ):
            with self.subTest(index):
                sql, params = queryset.order_by().query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN {sql}", params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                self.assertIn(index, plan)


class ProbeTests(PersonaTestCase):
    """A staff search for a common word finds its page by testing the list's first rows in order
    (core.pagination.Probe) instead of collecting every match in the country."""

    url = reverse("businesses:list")

    def setUp(self):
        # 54 of 80 match "dodol": by name, by product, or not at all, in turn.
        for i in range(80):
            business = make_business(
                self.duren, f"Usaha {i:03d}" + (" Dodol" if i % 3 == 0 else ""), owner_nik=""
            )
            if i % 3 == 1:
                Product.objects.create(business=business, name="Dodol Ketan")
        self.client.force_login(self.staff)
        self.expected = [b.pk for b in Business.objects.search("dodol").order_by("name", "pk")]

    def walk(self) -> tuple[list[int], list]:
        seen, counts, query = [], [], {"q": "dodol"}
        while True:
            page = self.client.get(self.url, query).context["page"]
            seen += [b.pk for b in page.object_list]
            counts.append(page.count)
            if not page.has_next():
                self.last_cursor = query.get("setelah", "")
                return seen, counts
            query = {"q": "dodol", "setelah": page.next_cursor}

    @postgresql_only
    def test_a_probed_page_holds_what_the_usual_page_holds(self):
        self.assertEqual(len(self.expected), 54)
        with mock.patch("core.pagination.PROBE_FROM", 0):
            seen, counts = self.walk()
            first = self.client.get(self.url, {"q": "dodol"})
        self.assertEqual(seen, self.expected)
        # Only the probe says "more than the page" for 54 rows: it did find the first page.
        self.assertEqual((counts[0].value, counts[0].capped), (25, True))
        self.assertContains(first, "lebih dari 25 usaha")

    @postgresql_only
    def test_previous_links_are_probed_too(self):
        with mock.patch("core.pagination.PROBE_FROM", 0):
            seen, _counts = self.walk()
            pages, counts = [], []
            page = self.client.get(self.url, {"q": "dodol", "setelah": self.last_cursor}).context[
                "page"
            ]
            while True:
                pages.insert(0, [b.pk for b in page.object_list])
                if not page.has_previous():
                    break
                query = {"q": "dodol", "sebelum": page.previous_cursor}
                page = self.client.get(self.url, query).context["page"]
                counts.append(page.count)
        self.assertEqual([pk for rows in pages for pk in rows], self.expected)
        # Both found by the probe (a count no further than a page): the middle page by a full
        # page of matches, the first because the window reached the start of the list.
        self.assertEqual([(c.value, c.capped) for c in counts], [(25, True), (25, True)])
        self.assertEqual(seen, self.expected)

    @postgresql_only
    def test_too_few_matches_in_the_window_fall_back_to_the_usual_page(self):
        with (
            mock.patch("core.pagination.PROBE_FROM", 0),
            mock.patch("core.pagination.PROBE_WINDOW", 10),
        ):
            seen, counts = self.walk()
        self.assertEqual(seen, self.expected)
        self.assertEqual((counts[0].value, counts[0].capped), (54, False))

    def test_a_rare_word_is_not_probed(self):
        """PostgreSQL expects few matches (and SQLite has no estimate): the usual exact page."""
        seen, counts = self.walk()
        self.assertEqual(seen, self.expected)
        self.assertEqual((counts[0].value, counts[0].capped), (54, False))


@postgresql_only
class GeneratorTests(PersonaTestCase):
    sizes = [
        "--businesses=60",
        "--cases=150",
        "--mentors=2",
        "--visits=5",
        "--cooperatives=3",
        "--activities=3",
    ]

    def test_refuses_a_database_with_real_data(self):
        make_business(self.duren, owner_nik="")
        with self.assertRaisesMessage(CommandError, "bukan buatan generate_scale_data"):
            call_command("generate_scale_data", *self.sizes, stdout=mock.Mock())
        self.assertEqual(Business.objects.count(), 1)

    def test_generates_valid_data_spread_over_the_villages(self):
        Mentor.objects.all().delete()  # the personas' own; the generator wants an empty database
        call_command("generate_scale_data", *self.sizes, stdout=mock.Mock())
        businesses = list(Business.objects.all())
        self.assertEqual(len(businesses), 60)
        for business in businesses:
            clean_nik(business.owner_nik)
            business.full_clean()
        self.assertEqual(
            {b.village_id for b in businesses}, set(Village.objects.values_list("pk", flat=True))
        )
        cases = list(Case.objects.select_related("step", "service"))
        self.assertGreater(len(cases), 60)
        self.assertEqual(
            {c.service.code for c in cases}, set(Service.objects.values_list("code", flat=True))
        )
        for case in cases:
            if case.step:
                self.assertEqual(case.step.service_id, case.service_id)
            if case.status == Status.DONE:
                self.assertIsNotNone(case.closed_on)
                if case.service.code == "nib":
                    self.assertEqual(case.business.nib_number, case.outcome_number)
            self.assertTrue(case.events.filter(kind="created").exists())
        from assistance.models import Visit

        for visit in Visit.objects.prefetch_related("businesses"):
            self.assertTrue(visit.businesses.all())
            self.assertEqual({b.village_id for b in visit.businesses.all()}, {visit.village_id})
            self.assertTrue(
                visit.mentor.assignments.active().filter(village=visit.village_id).exists()
            )
        for mentor in Mentor.objects.all():
            self.assertIn(mentor.assignments.active().count(), (1, 2, 3))
        with self.assertRaisesMessage(CommandError, "--replace"):
            call_command("generate_scale_data", *self.sizes, stdout=mock.Mock())
        call_command("generate_scale_data", *self.sizes, "--replace", stdout=mock.Mock())
        self.assertEqual(Business.objects.count(), 60)
        self.assertFalse(Assignment.objects.exclude(mentor__in=Mentor.objects.all()).exists())
        self.assertTrue(District.objects.exists())


class LargeAdminTests(PersonaTestCase):
    def test_changelists_count_with_a_cap_and_filter_by_home_kecamatan_only(self):
        from villages.models import Province, Regency

        other = Regency.objects.create(
            code="32.16", province=Province.objects.get(code="32"), name="KABUPATEN BEKASI"
        )
        District.objects.create(code="32.16.01", regency=other, name="Tarumajaya")
        make_business(self.duren, owner_nik="")
        admin_user = self.staff
        admin_user.is_staff = admin_user.is_superuser = True
        admin_user.save()
        self.client.force_login(admin_user)
        for url in (
            "/admin/businesses/business/",
            "/admin/assistance/case/",
            "/admin/villages/village/",
        ):
            with self.subTest(url), CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"].upper()]
                self.assertTrue(counts)
                for sql in counts:
                    self.assertIn("LIMIT", sql.upper())
                self.assertContains(response, "Klari")
                self.assertNotContains(response, "Tarumajaya")
