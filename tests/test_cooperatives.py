"""Cooperatives: the at-risk rule, One District One Cooperative, SIPD-coded activities and their
budgets, imports, and access by kecamatan."""

import csv
import io
from datetime import date

import tablib
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperatives.models import (
    Activity,
    Cooperative,
    Equipment,
    Flagship,
    Participation,
    SipdCode,
    rat_cutoff,
)
from cooperatives.resources import CooperativeResource, SipdCodeResource

from .base import PersonaTestCase

YEAR = timezone.localdate().year


def make_cooperative(district, name="KSP Mekar", **fields) -> Cooperative:
    values = {"type": "simpan_pinjam", "last_rat_date": date(YEAR, 3, 1)}
    return Cooperative.objects.create(name=name, district=district, **(values | fields))


def make_activity(district, title="Pelatihan", code="2.17.06.2.01.0009", **fields) -> Activity:
    values = {
        "kind": "pelatihan_koperasi",
        "fiscal_year": YEAR,
        "budget_ceiling": 10_000_000,
        "realised": 0,
        "status": "rencana",
        "start_date": date(YEAR, 5, 1),
        "organiser": "dinkop",
        "sipd": SipdCode.objects.get(code=code),
    }
    return Activity.objects.create(title=title, district=district, **(values | fields))


class AtRiskRuleTests(PersonaTestCase):
    def test_no_rat_this_year_or_last_year_is_at_risk(self):
        today = date(2026, 11, 24)
        self.assertEqual(rat_cutoff(today), date(2025, 1, 1))
        cases = {
            "RAT tahun ini": (date(2026, 4, 10), True, False),
            "RAT tahun lalu": (date(2025, 1, 1), True, False),
            "RAT dua tahun lalu": (date(2024, 12, 31), True, True),
            "Belum pernah RAT": (None, True, True),
            "Tidak aktif": (None, False, False),
        }
        for name, (rat, active, _expected) in cases.items():
            make_cooperative(self.klari, name, last_rat_date=rat, is_active=active)
        flagged = set(Cooperative.objects.at_risk(today).values_list("name", flat=True))
        self.assertEqual(flagged, {n for n, (_r, _a, risky) in cases.items() if risky})

    def test_the_flag_and_the_filter_agree_today(self):
        old = make_cooperative(self.klari, "Lama", last_rat_date=date(YEAR - 2, 6, 1))
        new = make_cooperative(self.klari, "Baru", last_rat_date=date(YEAR - 1, 6, 1))
        self.assertTrue(old.is_at_risk)
        self.assertFalse(new.is_at_risk)
        self.assertEqual(list(Cooperative.objects.at_risk()), [old])
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cooperatives:list"), {"berisiko": "on"})
        self.assertEqual([c.name for c in response.context["page"].object_list], ["Lama"])
        self.assertContains(response, "Berisiko: belum RAT")


class FlagshipTests(PersonaTestCase):
    def setUp(self) -> None:
        self.first = make_cooperative(self.klari, "KSP Satu")
        self.second = make_cooperative(self.klari, "Koperasi Dua", type="produsen")
        self.url = reverse("cooperatives:flagship_choose", args=[self.klari.code])

    def test_the_database_allows_one_flagship_per_kecamatan_per_year(self):
        Flagship.objects.create(district=self.klari, year=YEAR, cooperative=self.first, reason="a")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Flagship.objects.create(
                district=self.klari, year=YEAR, cooperative=self.second, reason="b"
            )
        Flagship.objects.create(
            district=self.klari, year=YEAR + 1, cooperative=self.second, reason="c"
        )

    def test_choosing_again_for_the_year_replaces_the_flagship(self):
        self.client.force_login(self.staff)
        for cooperative in (self.first, self.second):
            response = self.client.post(
                self.url, {"year": YEAR, "cooperative": cooperative.pk, "reason": "RAT tertib"}
            )
            self.assertRedirects(response, reverse("cooperatives:flagships"))
        self.assertEqual(Flagship.objects.get().cooperative, self.second)
        overview = self.client.get(reverse("cooperatives:flagships"))
        self.assertEqual(overview.context["with_flagship"], 1)
        self.assertContains(overview, "Koperasi Dua")

    def test_a_cooperative_of_another_kecamatan_or_inactive_is_refused(self):
        elsewhere = make_cooperative(self.pedes, "KSP Pedes")
        sleeping = make_cooperative(self.klari, "KSP Tidur", is_active=False)
        self.client.force_login(self.staff)
        for cooperative in (elsewhere, sleeping):
            response = self.client.post(
                self.url, {"year": YEAR, "cooperative": cooperative.pk, "reason": "x"}
            )
            self.assertEqual(response.status_code, 400)
        self.assertFalse(Flagship.objects.exists())

    def test_only_the_office_chooses(self):
        for user, status in (
            (self.camat, 403),
            (self.mentor.user, 403),
            (self.leader, 403),
            (self.other_mentor.user, 404),
            (self.outsider, 404),
        ):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url, {"year": YEAR}).status_code, status)


class ActivityAccessTests(PersonaTestCase):
    def setUp(self) -> None:
        self.klari_activity = make_activity(self.klari, "Bazar Klari")
        self.pedes_activity = make_activity(self.pedes, "Bazar Pedes")

    def activity_data(self, district, **overrides) -> dict:
        data = {
            "title": "Pelatihan RAT",
            "kind": "pelatihan_koperasi",
            "sipd": SipdCode.objects.get(code="2.17.05.2.01.0001").pk,
            "fiscal_year": YEAR,
            "budget_ceiling": "15.000.000",
            "realised": "",
            "status": "rencana",
            "start_date": f"{YEAR}-07-01",
            "end_date": "",
            "district": district.pk,
            "village": "",
            "organiser": "kecamatan",
            "outcome": "",
            "peserta-TOTAL_FORMS": "0",
            "peserta-INITIAL_FORMS": "0",
            "sarana-TOTAL_FORMS": "0",
            "sarana-INITIAL_FORMS": "0",
        }
        return data | overrides

    def test_camat_of_klari_cannot_see_or_add_an_activity_in_pedes(self):
        self.client.force_login(self.camat)
        for name in ("cooperatives:activity", "cooperatives:activity_edit"):
            url = reverse(name, args=[self.pedes_activity.pk])
            self.assertEqual(self.client.get(url).status_code, 404)
        create = reverse("cooperatives:activity_create")
        self.assertEqual(self.client.get(create, {"kecamatan": "32.15.10"}).status_code, 404)
        response = self.client.post(create, self.activity_data(self.pedes))
        self.assertEqual(response.status_code, 400)
        self.assertIn("district", response.context["form"].errors)
        self.assertFalse(Activity.objects.filter(title="Pelatihan RAT").exists())
        listing = self.client.get(reverse("cooperatives:activities"))
        self.assertContains(listing, "Bazar Klari")
        self.assertNotContains(listing, "Bazar Pedes")

    def test_camat_records_and_edits_activities_of_own_kecamatan(self):
        self.client.force_login(self.camat)
        response = self.client.post(
            reverse("cooperatives:activity_create"), self.activity_data(self.klari)
        )
        activity = Activity.objects.get(title="Pelatihan RAT")
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual((activity.created_by, activity.budget_ceiling), (self.camat, 15_000_000))
        url = reverse("cooperatives:activity_edit", args=[self.klari_activity.pk])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_camat_reads_cooperatives_of_own_kecamatan_but_does_not_edit_them(self):
        own = make_cooperative(self.klari, "KSP Klari")
        other = make_cooperative(self.pedes, "KSP Pedes")
        self.client.force_login(self.camat)
        self.assertEqual(self.client.get(own.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("cooperatives:edit", args=[own.pk])).status_code, 403
        )
        self.assertEqual(self.client.get(reverse("cooperatives:create")).status_code, 403)

    def test_mentors_read_cooperatives_of_their_villages_kecamatan_only(self):
        own = make_cooperative(self.klari, "KSP Klari")
        other = make_cooperative(self.pedes, "KSP Pedes")
        self.client.force_login(self.mentor.user)  # Duren, Klari
        listing = self.client.get(reverse("cooperatives:list"))
        self.assertContains(listing, "KSP Klari")
        self.assertNotContains(listing, "KSP Pedes")
        self.assertEqual(self.client.get(other.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("cooperatives:edit", args=[own.pk])).status_code, 403
        )
        self.assertEqual(self.client.get(reverse("cooperatives:activity_create")).status_code, 403)

    def test_outsiders_see_nothing(self):
        coop = make_cooperative(self.klari)
        self.client.force_login(self.outsider)
        for url in (
            coop.get_absolute_url(),
            self.klari_activity.get_absolute_url(),
            reverse("cooperatives:partners", args=["32.15.05"]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertContains(self.client.get(reverse("cooperatives:list")), "0 koperasi")

    def test_bad_budget_input_is_refused_next_to_the_field(self):
        self.client.force_login(self.staff)
        data = self.activity_data(self.klari, realised="20.000.000", status="terlaksana")
        response = self.client.post(reverse("cooperatives:activity_create"), data)
        self.assertContains(response, "melebihi pagu", status_code=400)
        data = self.activity_data(self.klari, realised="5.000.000")
        response = self.client.post(reverse("cooperatives:activity_create"), data)
        self.assertContains(response, "masih rencana", status_code=400)
        self.assertFalse(Activity.objects.filter(title="Pelatihan RAT").exists())

    def test_participants_and_equipment_are_saved_with_the_activity(self):
        coop = make_cooperative(self.klari)
        self.client.force_login(self.staff)
        data = self.activity_data(
            self.klari,
            kind="pengadaan",
            status="terlaksana",
            realised="14.000.000",
            **{
                "peserta-TOTAL_FORMS": "1",
                "peserta-0-cooperative": coop.pk,
                "peserta-0-attendees_male": "3",
                "peserta-0-attendees_female": "5",
                "sarana-TOTAL_FORMS": "1",
                "sarana-0-item": "Tenda 4×6 m",
                "sarana-0-quantity": "2",
                "sarana-0-unit_cost": "6.500.000",
                "sarana-0-recipient": coop.pk,
            },
        )
        response = self.client.post(reverse("cooperatives:activity_create"), data)
        activity = Activity.objects.get(title="Pelatihan RAT")
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual(Participation.objects.get(activity=activity).attendees_female, 5)
        self.assertEqual(Equipment.objects.get(activity=activity).total, 13_000_000)
        page = self.client.get(activity.get_absolute_url())
        self.assertContains(page, "Rp\u00a013.000.000")


class BudgetTests(PersonaTestCase):
    def setUp(self) -> None:
        specs = [
            (self.klari, "2.17.06.2.01.0009", 10_000_000, 9_500_000, "terlaksana"),
            (self.klari, "2.17.06.2.01.0009", 20_000_000, 0, "rencana"),
            (self.klari, "2.17.05.2.01.0001", 7_500_000, 7_000_000, "terlaksana"),
            (self.pedes, "2.17.06.2.01.0009", 30_000_000, 25_000_000, "terlaksana"),
            (self.pedes, "2.17.05.2.01.0001", 99_000_000, 0, "batal"),
        ]
        self.activities = [
            make_activity(d, f"K{i}", code, budget_ceiling=c, realised=r, status=s)
            for i, (d, code, c, r, s) in enumerate(specs)
        ]
        make_activity(
            self.klari,
            "Tahun lalu",
            fiscal_year=YEAR - 1,
            start_date=date(YEAR - 1, 5, 1),
            budget_ceiling=1_000_000,
        )

    def expected(self, key) -> dict:
        """The same sums, computed the plain way from the activities themselves."""
        sums: dict = {}
        for a in self.activities:
            if a.status == "batal":
                continue
            row = sums.setdefault(key(a), {"ceiling": 0, "realised": 0, "planned": 0, "held": 0})
            row["ceiling"] += a.budget_ceiling
            row["realised"] += a.realised
            row["planned" if a.status == "rencana" else "held"] += 1
        return sums

    def rows(self, response, table, key):
        return {
            r[key]: {k: r[k] for k in ("ceiling", "realised", "planned", "held")}
            for r in response.context[table]
        }

    def test_sums_per_sipd_code_and_per_kecamatan(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cooperatives:budget"), {"tahun": YEAR})
        self.assertEqual(
            self.rows(response, "by_code", "sipd__code"), self.expected(lambda a: a.sipd.code)
        )
        self.assertEqual(
            self.rows(response, "by_district", "district__name"),
            self.expected(lambda a: a.district.name),
        )
        ceiling = sum(r["ceiling"] for r in self.expected(lambda a: 1).values())
        realised = sum(r["realised"] for r in self.expected(lambda a: 1).values())
        self.assertEqual(response.context["total"]["absorbed"], round(100 * realised / ceiling, 1))
        self.assertContains(response, "Rp\u00a067.500.000")

    def test_camat_sees_only_own_kecamatan_budget(self):
        self.client.force_login(self.camat)
        response = self.client.get(reverse("cooperatives:budget"))
        self.assertEqual(set(self.rows(response, "by_district", "district__name")), {"Klari"})

    def test_export_as_csv_and_xlsx(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cooperatives:budget"), {"ekspor": "csv"})
        self.assertIn("attachment", response["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        klari = next(r for r in rows if r[1] == "Klari")
        self.assertEqual(klari[2:4], ["37500000", "16500000"])
        xlsx = self.client.get(reverse("cooperatives:budget"), {"ekspor": "xlsx"})
        sheet = tablib.Dataset().load(xlsx.content, format="xlsx")
        self.assertIn("Klari", sheet.get_col(1))

    def test_budget_page_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        with CaptureQueriesContext(connection) as before:
            self.client.get(reverse("cooperatives:budget"))
        for i in range(10):
            make_activity(self.pedes, f"Tambahan {i}", budget_ceiling=1_000_000)
        with CaptureQueriesContext(connection) as after:
            self.client.get(reverse("cooperatives:budget"))
        self.assertEqual(len(before), len(after))


class ImportTests(PersonaTestCase):
    def test_cooperative_import_with_a_bad_row_writes_nothing_and_names_row_and_column(self):
        data = tablib.Dataset(
            headers=[
                "name",
                "type",
                "kecamatan_code",
                "contact_phone",
                "members_male",
                "members_female",
            ]
        )
        data.append(["KSP Baik", "simpan_pinjam", "32.15.05", "0812-1111-2222", 10, 20])
        data.append(["KSP Salah", "simpan_pinjam", "32.15.05", "8,12346E+11", 5, 5])
        data.append(["KSP Jenis", "arisan", "32.15.10", "", 1, 1])
        result = CooperativeResource().import_data(data, dry_run=False)
        errors = {row.number: set(row.field_specific_errors) for row in result.invalid_rows}
        self.assertEqual(errors, {2: {"contact_phone"}, 3: {"type"}})
        self.assertFalse(Cooperative.objects.exists())
        data = tablib.Dataset(headers=["name", "type", "kecamatan_code"])
        data.append(["KSP Baik", "simpan_pinjam", "32.15.05"])
        self.assertFalse(CooperativeResource().import_data(data, dry_run=False).has_errors())
        self.assertEqual(Cooperative.objects.get().district, self.klari)

    def test_sipd_codes_import_and_refuse_malformed_codes(self):
        data = tablib.Dataset(headers=["code", "name", "is_active"])
        data.append(["2.17.07.2.01.0099", "Sub-kegiatan baru", "1"])
        data.append(["2.17.7", "Kode rusak", "1"])
        result = SipdCodeResource().import_data(data, dry_run=False)
        self.assertEqual([row.number for row in result.invalid_rows], [2])
        self.assertFalse(SipdCode.objects.filter(code="2.17.07.2.01.0099").exists())


class ListSpeedTests(PersonaTestCase):
    def test_lists_run_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        urls = [
            reverse("cooperatives:list"),
            reverse("cooperatives:activities"),
            reverse("cooperatives:flagships"),
        ]
        counts = {url: [] for url in urls}
        for n in (1, 12):
            for i in range(n):
                coop = make_cooperative(self.klari, f"Koperasi {n}-{i}")
                activity = make_activity(self.klari, f"Kegiatan {n}-{i}")
                Participation.objects.create(activity=activity, cooperative=coop, attendees_male=1)
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts[url].append(len(queries))
        for url, (small, large) in counts.items():
            self.assertEqual(small, large, url)


class ParticipantScopeTests(PersonaTestCase):
    def test_participants_and_recipients_come_from_the_activitys_kecamatan(self):
        activity = make_activity(self.klari, "Bazar Klari")
        pedes_coop = make_cooperative(self.pedes, "KSP Pedes")
        klari_coop = make_cooperative(self.klari, "KSP Klari")
        url = reverse("cooperatives:activity_edit", args=[activity.pk])
        base = {
            "title": activity.title,
            "kind": activity.kind,
            "sipd": activity.sipd_id,
            "fiscal_year": YEAR,
            "budget_ceiling": "10.000.000",
            "realised": "",
            "status": "rencana",
            "start_date": f"{YEAR}-05-01",
            "end_date": "",
            "district": self.klari.pk,
            "village": "",
            "organiser": "dinkop",
            "outcome": "",
            "version": activity.version,
            "peserta-TOTAL_FORMS": "1",
            "peserta-INITIAL_FORMS": "0",
            "sarana-TOTAL_FORMS": "0",
            "sarana-INITIAL_FORMS": "0",
            "peserta-0-attendees_male": "1",
            "peserta-0-attendees_female": "1",
        }
        self.client.force_login(self.staff)
        page = self.client.get(url)
        self.assertContains(page, "KSP Klari")
        self.assertNotContains(page, "KSP Pedes")
        response = self.client.post(url, base | {"peserta-0-cooperative": pedes_coop.pk})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Participation.objects.exists())
        response = self.client.post(url, base | {"peserta-0-cooperative": klari_coop.pk})
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual(Participation.objects.get().cooperative, klari_coop)


class CooperativeFormTests(PersonaTestCase):
    def data(self, **overrides) -> dict:
        values = {
            "name": "KSP Sejahtera",
            "registry_number": "3215012345678901",
            "type": "simpan_pinjam",
            "district": self.klari.pk,
            "village": self.duren.pk,
            "members_male": "10",
            "members_female": "12",
            "is_active": "on",
            "last_rat_year": str(YEAR - 1),
            "last_rat_date": f"{YEAR}-03-01",
            "contact_phone": "0812-3333-4444",
        }
        return values | overrides

    def test_staff_register_a_cooperative(self):
        self.client.force_login(self.staff)
        response = self.client.post(reverse("cooperatives:create"), self.data())
        cooperative = Cooperative.objects.get()
        self.assertRedirects(response, cooperative.get_absolute_url())
        self.assertEqual((cooperative.contact_phone, cooperative.members), ("+6281233334444", 22))

    def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(self):
        self.client.force_login(self.staff)
        bad = self.data(
            village=self.payungsari.pk,
            contact_phone="12345",
            last_rat_date=f"{YEAR + 1}-01-01",
            last_rat_year=str(YEAR + 2),
        )
        response = self.client.post(reverse("cooperatives:create"), bad)
        self.assertEqual(response.status_code, 400)
        self.assertLessEqual({"village", "contact_phone"}, set(response.context["form"].errors))
        self.assertFalse(Cooperative.objects.exists())

    def test_unusual_registry_number_needs_confirmation(self):
        self.client.force_login(self.staff)
        data = self.data(registry_number="123")
        response = self.client.post(reverse("cooperatives:create"), data)
        self.assertContains(response, "16 digit", status_code=400)
        response = self.client.post(
            reverse("cooperatives:create"), data | {"confirm_warnings": "on"}
        )
        self.assertEqual(response.status_code, 302)

    def test_partner_with_a_bad_phone_is_refused(self):
        self.client.force_login(self.staff)
        url = reverse("cooperatives:partners", args=[self.klari.code])
        response = self.client.post(
            url, {"role": "camat", "name": "Pak Camat", "phone": "8,12346E+11"}
        )
        self.assertContains(response, "notasi ilmiah", status_code=400)
