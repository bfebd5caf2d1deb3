"""The SIDT fields of the business registry and the business scale by PP 7/2021."""

from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.db import connection
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

import tests.test_businesses as registry
from businesses import sidt
from businesses.models import BILLION, Business, Scale, business_scale
from businesses.tasks import refresh_scales
from businesses.validators import nik_birth_dates
from core import schedule
from reports import figures, pdf

from .base import PersonaTestCase

NIK_MAN = registry.NIK_MAN  # born 12-03-1985
NIK_WOMAN = registry.NIK_WOMAN  # day 12 + 40
NIK_1999_OR_2099 = "3215051203990001"  # 12-03-99: only 1999 gives a sensible age


class ScaleTests(SimpleTestCase):
    def test_annual_sales_at_every_edge(self):
        for sales, scale in [
            (0, Scale.MICRO),
            (2 * BILLION, Scale.MICRO),
            (2 * BILLION + 1, Scale.SMALL),
            (15 * BILLION, Scale.SMALL),
            (15 * BILLION + 1, Scale.MEDIUM),
            (50 * BILLION, Scale.MEDIUM),
            (50 * BILLION + 1, Scale.LARGE),
        ]:
            with self.subTest(sales=sales):
                self.assertEqual(business_scale(sales, None), scale)

    def test_capital_at_every_edge_for_a_new_business(self):
        for capital, scale in [
            (1 * BILLION, Scale.MICRO),
            (1 * BILLION + 1, Scale.SMALL),
            (5 * BILLION, Scale.SMALL),
            (5 * BILLION + 1, Scale.MEDIUM),
            (10 * BILLION, Scale.MEDIUM),
            (10 * BILLION + 1, Scale.LARGE),
        ]:
            with self.subTest(capital=capital):
                self.assertEqual(business_scale(3 * BILLION, capital, new=True), scale)
                self.assertEqual(business_scale(None, capital), scale)  # no sales known

    def test_sales_decide_for_a_running_business_and_nothing_known_is_unknown(self):
        self.assertEqual(business_scale(2 * BILLION, 20 * BILLION), Scale.MICRO)
        self.assertEqual(business_scale(None, None), Scale.UNKNOWN)
        self.assertEqual(business_scale(None, None, new=True), Scale.UNKNOWN)

    def test_the_sidt_mapping_has_the_49_columns_in_order(self):
        self.assertEqual(len(sidt.COLUMN_NAMES), 49)
        self.assertEqual(sidt.COLUMN_NAMES[0], "id_data_badan_usaha")
        self.assertEqual(sidt.COLUMN_NAMES[45], "tk_not_dibayar_disabil_perempua")
        self.assertEqual(sidt.COLUMN_NAMES[-3:], ("pulled_at", "updated_at", "source_page"))
        names = {f.name for f in Business._meta.get_fields()}
        for column, field in sidt.COLUMNS:
            with self.subTest(column=column):
                self.assertTrue(field is None or field in names)

    def test_nik_birth_date_century_is_the_one_giving_a_sensible_age(self):
        today = date(2026, 6, 1)
        self.assertEqual(nik_birth_dates(NIK_MAN, today), [date(1985, 3, 12)])
        self.assertEqual(nik_birth_dates(NIK_WOMAN, today), [date(1985, 3, 12)])
        self.assertEqual(nik_birth_dates(NIK_1999_OR_2099, today), [date(1999, 3, 12)])
        self.assertEqual(nik_birth_dates("3215051203080001", today), [date(2008, 3, 12)])
        self.assertEqual(nik_birth_dates("3215051203200001", today), [])  # 6 or 106 years old


class StoredScaleTests(PersonaTestCase):
    def test_scale_is_stored_on_save_from_annual_or_estimated_turnover(self):
        business = registry.make_business(self.duren, monthly_turnover=2 * BILLION // 12)
        self.assertEqual(Business.objects.get().scale, Scale.MICRO)
        self.assertTrue(business.annual_sales_estimated)
        business.monthly_turnover += 1
        business.save(update_fields=["monthly_turnover"])
        self.assertEqual(Business.objects.get().scale, Scale.SMALL)
        business.annual_turnover = 2 * BILLION
        business.save()
        self.assertEqual(Business.objects.get().scale, Scale.MICRO)
        self.assertFalse(business.annual_sales_estimated)

    def test_the_daily_task_rescales_a_business_that_has_passed_its_first_year(self):
        today = timezone.localdate()
        business = registry.make_business(
            self.duren,
            annual_turnover=100_000_000,
            founding_capital=1 * BILLION + 1,
            start_year=today.year,
            start_month=today.month,
        )
        self.assertEqual(business.scale, Scale.SMALL)  # new: by its capital
        a_year_on = today.replace(year=today.year + 1, day=min(today.day, 28))
        periodic = {entry.name: entry for entry in schedule.registered()}
        self.assertEqual(periodic["businesses.refresh_scales"].period, timedelta(days=1))
        self.assertEqual(refresh_scales(today), 0)  # still new: nothing changes
        self.assertEqual(refresh_scales(a_year_on), 1)
        self.assertEqual(Business.objects.get().scale, Scale.MICRO)  # by its sales now
        self.assertEqual(refresh_scales(a_year_on), 0)

    def test_a_business_started_this_year_is_scaled_by_its_capital(self):
        today = timezone.localdate()
        business = registry.make_business(
            self.duren,
            annual_turnover=100_000_000,
            founding_capital=1 * BILLION + 1,
            start_year=today.year,
            start_month=today.month,
            scale_reported=Scale.MICRO,
        )
        self.assertEqual(business.scale, Scale.SMALL)
        self.assertTrue(business.scale_mismatch)
        business.start_year = today.year - 2
        business.save()
        self.assertEqual(business.scale, Scale.MICRO)
        self.assertFalse(business.scale_mismatch)

    def test_scale_and_every_other_list_filter_column_is_indexed(self):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "businesses_business")
        indexed = [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]
        self.assertIn(["scale"], indexed)
        self.assertIn(["village_id", "scale"], indexed)
        self.assertIn(["sidt_id"], indexed)

    def test_the_sidt_id_is_unique_but_may_be_empty_many_times(self):
        from django.db import IntegrityError, transaction

        registry.make_business(self.duren, name="A")
        registry.make_business(self.duren, name="B")  # both without a SIDT id
        registry.make_business(self.duren, name="C", sidt_id="abc-1")
        with self.assertRaises(IntegrityError), transaction.atomic():
            registry.make_business(self.duren, name="D", sidt_id="abc-1")


class FormTests(PersonaTestCase):
    url = reverse("businesses:create")

    def post(self, **overrides):
        self.client.force_login(self.mentor.user)
        return self.client.post(self.url, registry.form_data(self.duren, **overrides))

    def assert_error(self, field: str, text: str, **overrides) -> None:
        response = self.post(**overrides)
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertIn(field, errors, errors)
        self.assertIn(text, " ".join(errors[field]))
        self.assertFalse(Business.objects.exists())

    def test_all_sidt_fields_are_saved_and_shown(self):
        response = self.post(
            owner_birth_date="1985-03-12",
            owner_disability="False",
            owner_education="sma",
            owner_address="Kp. Duren",
            owner_rt="003",
            owner_rw="011",
            owner_village=self.pancawati.pk,
            rt="001",
            rw="002",
            latitude="-6.3051",
            longitude="107.3482",
            main_activity="Membuat opak",
            main_product="Opak ketan",
            kbli_category="C",
            legal_status="perorangan",
            start_month="7",
            start_year="2015",
            annual_turnover="Rp 2.000.000.001",
            founding_capital="5.000.000",
            assets="12.000.000",
            scale_reported="mikro",
            workers_paid_men="0",
            workers_unpaid_women="2",
        )
        self.assertEqual(response.status_code, 302)
        business = Business.objects.get()
        self.assertEqual((business.owner_rt, business.owner_rw), ("003", "011"))
        self.assertIs(business.owner_disability, False)
        self.assertEqual(business.scale, Scale.SMALL)
        self.assertEqual(business.workers_paid_men, 0)
        self.assertIsNone(business.workers_paid_women)  # unknown is not 0
        self.client.force_login(self.staff)
        page = self.client.get(business.get_absolute_url())
        self.assertContains(
            page, "https://www.openstreetmap.org/?mlat=-6.305100&amp;mlon=107.348200"
        )
        self.assertContains(page, "Skala tidak cocok")
        self.assertContains(page, "Kecil")

    def test_birth_date_must_match_the_nik(self):
        self.assert_error(
            "owner_birth_date", "tidak cocok dengan NIK", owner_birth_date="1985-03-13"
        )
        self.assert_error(
            "owner_birth_date", "tidak cocok dengan NIK", owner_birth_date="1985-12-03"
        )

    def test_a_womans_birth_date_is_the_nik_day_minus_40(self):
        self.assert_error(
            "owner_birth_date",
            "tidak cocok",
            owner_nik=NIK_WOMAN,
            owner_gender="P",
            owner_birth_date="1985-12-03",
        )
        response = self.post(owner_nik=NIK_WOMAN, owner_gender="P", owner_birth_date="1985-03-12")
        self.assertEqual(response.status_code, 302)

    def test_birth_date_in_the_1900s_or_2000s_whichever_gives_a_sensible_age(self):
        response = self.post(owner_nik=NIK_1999_OR_2099, owner_birth_date="1999-03-12")
        self.assertEqual(response.status_code, 302)

    def test_an_impossible_age_is_refused(self):
        self.assert_error(
            "owner_birth_date", "Umur pemilik", owner_nik="", owner_birth_date="2020-01-01"
        )

    def test_gender_must_match_the_nik_unless_unknown(self):
        self.assert_error("owner_gender", "tidak cocok dengan NIK", owner_gender="P")
        self.assertEqual(self.post(owner_gender="X").status_code, 302)

    def test_coordinates_both_or_neither_and_inside_indonesia(self):
        self.assert_error("longitude", "keduanya", latitude="-6.3")
        self.assert_error("latitude", "keduanya", longitude="107.3")
        self.assert_error("latitude", "", latitude="-11.5", longitude="107.3")
        self.assert_error("longitude", "", latitude="-6.3", longitude="141.01")
        self.assert_error("longitude", "", latitude="-6.3", longitude="94.9")
        self.assert_error("latitude", "", latitude="6.2", longitude="107.3")

    def test_rt_rw_keep_leading_zeros_and_refuse_other_text(self):
        self.assert_error("rt", "RT/RW", rt="1a")
        self.assert_error("owner_rw", "RT/RW", owner_rw="00")
        self.assert_error("rw", "RT/RW", rw="000")

    def test_kbli_code_and_category(self):
        self.assert_error("kbli", "5 digit", kbli="1079")
        self.assert_error("kbli_category", "", kbli_category="V")
        response = self.post(kbli="10792", kbli_category="G")
        self.assertContains(response, "biasanya termasuk kategori C", status_code=400)

    def test_start_month_and_year(self):
        today = timezone.localdate()
        self.assert_error("start_year", "masa depan", start_year=str(today.year + 1))
        if today.month < 12:
            self.assert_error(
                "start_year", "masa depan", start_year=str(today.year), start_month=today.month + 1
            )
        self.assert_error("start_year", "Isi tahunnya", start_month="3")
        self.assert_error("start_month", "", start_month="13", start_year="2020")
        self.assert_error("start_year", "", start_year="1850")
        self.assertEqual(self.post(start_month="3", start_year="2020").status_code, 302)

    def test_without_the_nik_permission_the_birth_date_stays_hidden_and_kept(self):
        business = registry.make_business(self.duren, owner_birth_date=date(1985, 3, 12))
        self.client.force_login(self.mentor.user)
        url = reverse("businesses:edit", args=[business.pk])
        self.assertNotContains(self.client.get(url), "1985-03-12")
        self.assertNotContains(self.client.get(business.get_absolute_url()), "12 Maret 1985")
        data = registry.form_data(
            self.duren, owner_nik="", owner_gender="P", version=business.version
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Business.objects.get().owner_birth_date, date(1985, 3, 12))
        self.staff.user_permissions.add(Permission.objects.get(codename="view_nik"))
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(url), "1985-03-12")

    def test_access_to_the_form_stays_as_before(self):
        business = registry.make_business(self.duren)
        url = reverse("businesses:edit", args=[business.pk])
        for user in (self.other_mentor.user, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, {"rt": "001"}).status_code, 404)
        for user in (self.camat, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, {"rt": "001"}).status_code, 403)
        self.assertEqual(Business.objects.get().rt, "")


class ScaleFigureTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make = registry.make_business
        make(cls.duren, name="Mikro A", annual_turnover=2 * BILLION)
        make(cls.duren, name="Mikro B", monthly_turnover=1_000_000)
        make(cls.duren, name="Kecil", annual_turnover=2 * BILLION + 1)
        make(cls.payungsari, name="Menengah", annual_turnover=15 * BILLION + 1)
        make(cls.payungsari, name="Belum tahu")

    def test_list_filter_by_scale(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("businesses:list"), {"skala": "mikro"})
        self.assertContains(page, "Mikro A")
        self.assertContains(page, "Mikro B")
        self.assertNotContains(page, "<strong>Menengah</strong>")
        self.assertNotContains(page, "<strong>Kecil</strong>")
        page = self.client.get(reverse("businesses:list"), {"skala": "tidak_diketahui"})
        self.assertContains(page, "Belum tahu")
        self.assertNotContains(page, "Mikro A")

    def test_scale_filter_stays_within_the_mentors_area(self):
        self.client.force_login(self.mentor.user)
        page = self.client.get(reverse("businesses:list"), {"skala": "menengah"})
        self.assertNotContains(page, "<strong>Menengah</strong>")

    def counts(self, user, area=None) -> dict[str, int]:
        return dict(figures.scale_counts(user, area or figures.Area()))

    def test_counts_by_scale_for_the_regency_a_kecamatan_and_a_mentor(self):
        self.assertEqual(
            self.counts(self.staff),
            {"Mikro": 2, "Kecil": 1, "Menengah": 1, "Besar": 0, "Tidak diketahui": 1},
        )
        klari = self.counts(self.staff, figures.Area(district=self.klari))
        self.assertEqual((klari["Mikro"], klari["Menengah"]), (2, 0))
        self.assertEqual(self.counts(self.mentor.user)["Menengah"], 0)

    def test_dashboard_shows_counts_by_scale(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("reports:dashboard"), {"periode": "2026"})
        self.assertContains(page, "Usaha menurut skala (PP 7/2021)")
        rows = page.context["figures"].scales
        self.assertEqual(rows[0], ("Mikro", 2))
        self.assertContains(page, 'id="scale-counts"')

    def test_pdf_shows_counts_by_scale(self):
        period = figures.parse_period("2026")
        html = pdf.render_html(figures.compute(self.staff, period, figures.Area(), full=True))
        table = html[html.index('id="skala"') :]
        table = table[: table.index("</table>")]
        self.assertIn('<td>Mikro</td><td class="num">2</td>', table)
        self.assertIn('<td>Menengah</td><td class="num">1</td>', table)
