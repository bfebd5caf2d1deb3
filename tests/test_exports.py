"""Exports: the lists' current filters and the user's area, numbers as numbers, NIK masked
unless permitted, formula-looking text neutralised, and an exported sheet imports back."""

import csv
import io

import openpyxl
import tablib
from django.urls import reverse

from assistance.models import Case
from businesses.models import Business
from businesses.resources import BusinessResource
from core.exports import neutralise, unneutralise

from .base import PersonaTestCase
from .test_admin_nik import admin_user
from .test_assistance import make_case
from .test_businesses import NIK_WOMAN, make_business

FORMULA = '=HYPERLINK("http://contoh.invalid/x","klik")'


def csv_rows(response) -> list[dict]:
    text = b"".join(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


class NeutraliseTests(PersonaTestCase):
    def test_every_formula_start_is_neutralised_and_taken_off_again(self):
        for value in (FORMULA, "+62812", "-1+1", "@SUM(A1)", "\tx", "\rx"):
            with self.subTest(value):
                self.assertEqual(neutralise(value), "'" + value)
                self.assertEqual(unneutralise(neutralise(value)), value)
        for value in ("Keripik", "", 5_700_000, None, "'quoted"):
            self.assertEqual(neutralise(value), value)
        self.assertEqual(unneutralise("'quoted"), "'quoted")


class ListExportTests(PersonaTestCase):
    def setUp(self) -> None:
        self.formula = make_business(self.duren, FORMULA, monthly_turnover=5_700_000)
        self.other = make_business(self.payungsari, "Terasi Pedes", owner_nik="")
        make_case(self.formula, "nib")
        make_case(self.other, "halal")

    def test_business_export_neutralises_formulas_and_keeps_numbers(self):
        self.client.force_login(self.staff)
        url = reverse("businesses:list")
        rows = {r["id"]: r for r in csv_rows(self.client.get(url, {"ekspor": "csv"}))}
        row = rows[str(self.formula.pk)]
        self.assertEqual(row["name"], "'" + FORMULA)
        self.assertEqual(row["monthly_turnover"], "5700000")
        xlsx = {r["id"]: r for r in xlsx_rows(self.client.get(url, {"ekspor": "xlsx"}))}
        self.assertEqual(xlsx[self.formula.pk]["name"], "'" + FORMULA)
        self.assertEqual(xlsx[self.formula.pk]["monthly_turnover"], 5_700_000)

    def test_exports_follow_the_filters_and_the_users_area(self):
        self.client.force_login(self.staff)
        url = reverse("businesses:list")
        filtered = csv_rows(self.client.get(url, {"ekspor": "csv", "kecamatan": self.pedes.code}))
        self.assertEqual([r["name"] for r in filtered], ["Terasi Pedes"])
        self.client.force_login(self.mentor.user)
        mine = csv_rows(self.client.get(url, {"ekspor": "csv"}))
        self.assertEqual([r["id"] for r in mine], [str(self.formula.pk)])
        self.assertNotIn(NIK_WOMAN, mine[0]["owner_nik"])
        self.assertIn("••", mine[0]["owner_nik"])
        cases = csv_rows(self.client.get(reverse("assistance:list"), {"ekspor": "csv"}))
        self.assertEqual([r["usaha"] for r in cases], ["'" + FORMULA])
        self.client.force_login(self.outsider)
        self.assertEqual(csv_rows(self.client.get(url, {"ekspor": "csv"})), [])

    def test_case_export_names_places_and_status_without_personal_data(self):
        self.client.force_login(self.camat)
        rows = xlsx_rows(self.client.get(reverse("assistance:list"), {"ekspor": "xlsx"}))
        self.assertEqual(len(rows), 1)
        case = Case.objects.get(business=self.formula)
        self.assertEqual(rows[0]["id"], case.pk)
        self.assertEqual((rows[0]["desa"], rows[0]["kecamatan"]), ("Duren", "Klari"))
        self.assertEqual(rows[0]["status"], "Baru")
        self.assertNotIn(NIK_WOMAN, str(rows[0]))

    def test_anonymous_export_goes_to_the_login_page(self):
        url = reverse("businesses:list")
        response = self.client.get(url, {"ekspor": "csv"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_the_admin_export_is_neutralised_too(self):
        clerk = admin_user("clerk", "view_business", "view_nik")
        data = BusinessResource(user=clerk).export(Business.objects.all())
        names = {row[data.headers.index("name")] for row in data}
        self.assertIn("'" + FORMULA, names)
        self.assertNotIn(FORMULA, names)


class RoundTripTests(PersonaTestCase):
    def test_an_exported_sheet_imports_back_unchanged(self):
        business = make_business(self.duren, FORMULA, phone="+6281234567890")
        business.monthly_turnover = 5_700_000
        business.save()
        before = business.history.count()
        data = BusinessResource(user=self.staff).export(Business.objects.all())
        result = BusinessResource(user=self.staff).import_data(
            tablib.Dataset().load(data.export("csv"), format="csv"), dry_run=False
        )
        # Every row matches what is stored: nothing to write, and the import says so.
        self.assertEqual([row.import_type for row in result.rows], ["skip"])
        self.assertFalse(result.has_validation_errors())
        self.assertIn("tidak satu pun yang baru atau berubah", str(result.base_errors[0].error))
        business.refresh_from_db()
        self.assertEqual((business.name, business.owner_nik), (FORMULA, NIK_WOMAN))
        self.assertEqual(business.history.count(), before)

    def test_a_masked_nik_keeps_the_stored_one_and_is_an_error_on_a_new_row(self):
        business = make_business(self.duren, "Keripik")
        clerk = admin_user("clerk", "view_business", "change_business", "add_business")
        data = BusinessResource(user=clerk).export(Business.objects.all())
        masked = data[0][data.headers.index("owner_nik")]
        self.assertNotEqual(masked, NIK_WOMAN)
        data.append(
            [
                "" if h == "id" else ("Usaha Baru" if h == "name" else value)
                for h, value in zip(data.headers, data[0], strict=True)
            ]
        )
        result = BusinessResource(user=clerk).import_data(data, dry_run=False)
        self.assertTrue(result.has_errors() or result.has_validation_errors())
        self.assertEqual(Business.objects.count(), 1)
        del data[1]
        row = list(data[0])
        row[data.headers.index("address")] = "Kp. Baru RT 01"
        del data[0]
        data.append(row)
        result = BusinessResource(user=clerk).import_data(data, dry_run=False)
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        business.refresh_from_db()
        self.assertEqual((business.owner_nik, business.address), (NIK_WOMAN, "Kp. Baru RT 01"))
