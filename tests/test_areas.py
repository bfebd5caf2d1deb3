"""Kemendagri area data: the Karawang fixture, the loader command, roles and demo data."""

import csv
from io import StringIO

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from villages import roles
from villages.models import Assignment, District, Mentor, Province, Regency, Village

SOURCE = settings.BASE_DIR / "fixtures" / "idn-area"


def csv_codes(filename: str, prefix: str) -> set[str]:
    with (SOURCE / filename).open(newline="", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle) if row["code"].startswith(prefix)}


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_areas", *args, stdout=out)
    return out.getvalue()


class KarawangFixtureTests(TestCase):
    fixtures = ["karawang_areas"]

    def test_fixture_holds_karawangs_30_kecamatan_and_309_villages_with_real_codes(self):
        self.assertEqual(District.objects.filter(regency__code="32.15").count(), 30)
        self.assertEqual(Village.objects.filter(district__regency__code="32.15").count(), 309)
        self.assertEqual(
            set(District.objects.values_list("code", flat=True)),
            csv_codes("districts.csv", "32.15."),
        )
        self.assertEqual(
            set(Village.objects.values_list("code", flat=True)),
            csv_codes("villages.csv", "32.15."),
        )

    def test_code_tells_desa_from_kelurahan(self):
        self.assertTrue(Village.objects.get(code="32.15.01.1001").is_kelurahan)  # Karawang Kulon
        self.assertFalse(Village.objects.get(code="32.15.05.2001").is_kelurahan)  # Duren
        kelurahan = [v for v in Village.objects.all() if v.is_kelurahan]
        self.assertEqual(
            len(kelurahan), len([c for c in csv_codes("villages.csv", "32.15.") if c[9] == "1"])
        )

    def test_loader_after_fixture_changes_nothing(self):
        output = load("--regency", "32.15")
        self.assertIn("desa/kelurahan: 0 baru, 0 diperbarui, 309 tetap", output)


class LoadAreasTests(TestCase):
    def test_loads_a_regency_and_a_second_run_changes_nothing(self):
        first = load("--regency", "32.15")
        self.assertIn("kecamatan: 30 baru", first)
        self.assertIn("desa/kelurahan: 309 baru", first)
        snapshot = list(Village.objects.order_by("code").values_list("pk", "code", "name"))
        second = load("--regency", "32.15")
        self.assertIn("kecamatan: 0 baru, 0 diperbarui, 30 tetap", second)
        self.assertIn("desa/kelurahan: 0 baru, 0 diperbarui, 309 tetap", second)
        self.assertEqual(
            list(Village.objects.order_by("code").values_list("pk", "code", "name")), snapshot
        )

    def test_loads_all_of_jawa_barat_idempotently(self):
        load("--province", "32")
        counts = (Regency.objects.count(), District.objects.count(), Village.objects.count())
        self.assertEqual(
            counts,
            (
                len(csv_codes("regencies.csv", "32.")),
                len(csv_codes("districts.csv", "32.")),
                len(csv_codes("villages.csv", "32.")),
            ),
        )
        self.assertEqual(Province.objects.get().name, "JAWA BARAT")
        output = load("--province", "32")
        self.assertNotIn(" baru, 1", output.replace("0 baru, 0", ""))
        self.assertEqual(output.count("0 baru, 0 diperbarui"), 4)
        self.assertEqual(
            (Regency.objects.count(), District.objects.count(), Village.objects.count()), counts
        )

    def test_loads_the_desa_adat_of_jayapura_whose_codes_start_with_3(self):
        load("--regency", "91.03")
        self.assertEqual(
            set(Village.objects.values_list("code", flat=True)), csv_codes("villages.csv", "91.03.")
        )
        adat = Village.objects.filter(code__regex=r"\.3\d{3}$")
        self.assertEqual(adat.count(), 14)
        yoboi = Village.objects.get(code="91.03.01.3007")
        self.assertEqual((str(yoboi.kind_label), yoboi.title), ("Desa adat", "Desa Adat Yoboi"))
        self.assertFalse(yoboi.is_kelurahan)
        duren = Village(code="32.15.05.2001", name="Duren")
        kulon = Village(code="32.15.01.1001", name="Karawang Kulon")
        self.assertEqual((duren.title, kulon.title), ("Desa Duren", "Kelurahan Karawang Kulon"))

    def test_reload_keeps_the_extreme_poverty_flag_and_repairs_a_renamed_village(self):
        load("--regency", "32.15")
        Village.objects.filter(code="32.15.10.2005").update(
            extreme_poverty_year=2022, name="Salah Ketik"
        )
        output = load("--regency", "32.15")
        self.assertIn("desa/kelurahan: 0 baru, 1 diperbarui, 308 tetap", output)
        village = Village.objects.get(code="32.15.10.2005")
        self.assertEqual((village.name, village.extreme_poverty_year), ("Sungaibuntu", 2022))

    def test_refuses_a_malformed_or_unknown_code(self):
        with self.assertRaisesMessage(CommandError, "tidak valid"):
            load("--regency", "3215")
        with self.assertRaisesMessage(CommandError, "Tidak ada data"):
            load("--regency", "99.99")
        self.assertFalse(Province.objects.exists())

    def test_refuses_a_broken_source_file_and_writes_nothing(self):
        import shutil
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            for name in ("provinces.csv", "regencies.csv", "districts.csv"):
                shutil.copy(SOURCE / name, tmp)
            Path(tmp, "villages.csv").write_text(
                "code,district_code,name\n32.15.01.1001,32.15.01,Karawang Kulon\n"
                "32.15.01.X,32.15.01,Rusak\n",
                encoding="utf-8",
            )
            with self.assertRaisesMessage(CommandError, "villages.csv baris 3"):
                load("--regency", "32.15", "--source", tmp)
        self.assertFalse(District.objects.exists())


class RoleTests(TestCase):
    def test_migrate_creates_every_role_group_with_its_permissions(self):
        self.assertEqual(
            set(Group.objects.values_list("name", flat=True)) & set(roles.ROLES), set(roles.ROLES)
        )
        dinkop = Group.objects.get(name=roles.DINKOP)
        self.assertTrue(dinkop.permissions.filter(codename="change_all_areas").exists())
        leadership = Group.objects.get(name=roles.LEADERSHIP)
        self.assertTrue(leadership.permissions.filter(codename="view_all_areas").exists())
        self.assertFalse(leadership.permissions.filter(codename="change_all_areas").exists())

    def test_setup_roles_is_reproducible_and_removes_hand_added_permissions(self):
        mentor = Group.objects.get(name=roles.MENTOR)
        mentor.permissions.add(Permission.objects.get(codename="change_all_areas"))
        call_command("setup_roles", stdout=StringIO())
        call_command("setup_roles", stdout=StringIO())
        granted = {
            f"{app}.{codename}"
            for app, codename in mentor.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        self.assertEqual(granted, roles.declared_permissions()[roles.MENTOR])
        self.assertNotIn("villages.change_all_areas", granted)
        self.assertIn("businesses.change_business", granted)
        self.assertNotIn("businesses.view_nik", granted)


class SeedDemoTests(TestCase):
    fixtures = ["karawang_areas"]

    @classmethod
    def setUpTestData(cls) -> None:
        # Seeding is the slow part: once for the class; each test rolls back to this state.
        call_command("seed_demo", stdout=StringIO())

    def test_seed_demo_places_12_mentors_in_12_villages_of_4_kecamatan_idempotently(self):
        counts = [model.objects.count() for model in (Mentor, Assignment, Village)]
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual([model.objects.count() for model in (Mentor, Assignment, Village)], counts)
        self.assertEqual(Mentor.objects.count(), 12)
        active = Assignment.objects.active().select_related("village__district")
        self.assertEqual(active.count(), 12)
        per_district = {}
        for assignment in active:
            per_district.setdefault(assignment.village.district.name, set()).add(
                assignment.village.code
            )
        self.assertEqual(set(per_district), {"Pedes", "Klari", "Cibuaya", "Jatisari"})
        self.assertTrue(all(2 <= len(codes) <= 3 for codes in per_district.values()))
        self.assertEqual(len(set().union(*per_district.values())), 12)
        self.assertEqual(Village.objects.extreme_poverty().count(), 4)
        self.assert_demo_work(set(per_district))

    def assert_demo_work(self, kecamatan: set[str]) -> None:
        """The higher apps' demo: businesses, cases at every stage, visits, cooperatives."""
        from assistance.models import Case, Status, Visit
        from businesses.models import Business, OvopSelection
        from cooperatives.models import Activity, Cooperative, Flagship

        mentored = Village.objects.with_active_mentor()
        for village in mentored:
            self.assertGreaterEqual(Business.objects.filter(village=village).count(), 8)
        self.assertEqual(set(Case.objects.values_list("status", flat=True)), set(Status.values))
        self.assertTrue(Case.objects.stalled().exists())
        self.assertTrue(Visit.objects.exists())
        self.assertTrue(OvopSelection.objects.exists())
        self.assertEqual(
            set(Cooperative.objects.values_list("district__name", flat=True)), kecamatan
        )
        self.assertEqual(Flagship.objects.values("district").distinct().count(), 2)
        self.assertTrue(Cooperative.objects.at_risk().exists())
        held = Activity.objects.filter(status="terlaksana")
        self.assertTrue(held.exists() and all(a.realised <= a.budget_ceiling for a in held))
        self.assertTrue(Activity.objects.filter(status="rencana").exists())

    def test_seed_demo_accounts_sign_in_and_land_on_their_pages(self):
        from villages.management.commands.seed_demo import DEMO_PASSWORD

        for username, heading in {
            "admin": "Ringkasan Kabupaten Karawang",
            "dinkop": "Ringkasan Kabupaten Karawang",
            "pimpinan": "Ringkasan Kabupaten Karawang",
            "patriot01": "Desa saya",
            "camat.klari": "Kecamatan Klari",
            "pkk.pedes": "Kecamatan Pedes",
        }.items():
            with self.subTest(username):
                self.client.logout()
                response = self.client.post(
                    reverse("login"), {"username": username, "password": DEMO_PASSWORD}
                )
                self.assertRedirects(response, reverse("home"))
                self.assertContains(self.client.get(reverse("home")), heading)


class SeedDemoEdgeTests(TestCase):
    fixtures = ["karawang_areas"]

    def test_seed_demo_needs_the_area_data(self):
        Village.objects.all().delete()
        District.objects.all().delete()
        with self.assertRaisesMessage(CommandError, "load_areas"):
            call_command("seed_demo", stdout=StringIO())

    def test_seed_demo_for_2022_leaves_the_placements_expired(self):
        call_command("seed_demo", "--year", "2022", stdout=StringIO())
        self.assertEqual(Assignment.objects.count(), 12)
        self.assertEqual(Assignment.objects.active().count(), 0)
        self.assertEqual(set(Mentor.objects.values_list("cohort_year", flat=True)), {2022})
