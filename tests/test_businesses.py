"""Micro-businesses: validation, NIK privacy, duplicates, conflicts, history, scoping, speed."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from businesses.models import Business, Product
from businesses.validators import clean_nik, mask_nik, nib_warnings, nik_gender, pirt_warnings

from .base import PersonaTestCase

NIK_MAN = "3215051203850001"  # Klari, born 12-03-1985
NIK_WOMAN = "3215055203850002"  # day 12 + 40


def make_business(village, name="Keripik Bu Iis", **fields) -> Business:
    values = {
        "owner_name": "Iis Suryani",
        "owner_gender": "P",
        "sector": "makanan",
        "owner_nik": NIK_WOMAN,
    }
    return Business.objects.create(name=name, village=village, **(values | fields))


def form_data(village, **overrides) -> dict:
    data = {
        "name": "Opak Ketan Mang Ujang",
        "owner_name": "Ujang Suryana",
        "owner_nik": NIK_MAN,
        "owner_gender": "L",
        "phone": "0812-3456-7890",
        "address": "Kp. Krajan RT 01/RW 02",
        "village": village.pk,
        "sector": "makanan",
        "kbli": "10792",
        "employees": "2",
        "monthly_turnover": "Rp 1.500.000",
        "nib_number": "",
        "nib_date": "",
        "pirt_number": "",
        "pirt_expiry": "",
        "halal_number": "",
        "halal_date": "",
    }
    return data | overrides


class NikTests(SimpleTestCase):
    def test_valid_niks_for_men_and_women(self):
        self.assertEqual(clean_nik(NIK_MAN), NIK_MAN)
        self.assertEqual(clean_nik("3215 0552 0385 0002"), NIK_WOMAN)
        self.assertEqual(nik_gender(NIK_MAN), "L")
        self.assertEqual(nik_gender(NIK_WOMAN), "P")
        self.assertEqual(clean_nik("3173012902000003"), "3173012902000003")  # 29 Feb 2000

    def test_spreadsheet_mangled_values_are_refused_with_a_clear_message(self):
        for raw in ("3.21505E+15", "3,21505E+15", "3.215051203850E15"):
            with self.subTest(raw), self.assertRaisesMessage(ValidationError, "notasi ilmiah"):
                clean_nik(raw)
        with self.assertRaisesMessage(ValidationError, "15 digit") as raised:
            clean_nik("321505120385000")
        self.assertIn("spreadsheet", str(raised.exception))

    def test_structurally_impossible_niks_are_refused(self):
        bad = {
            "32150512038500A1": "hanya boleh berisi angka",
            "32150512038500011": "17 digit",
            "3215053203850001": "Tanggal lahir",  # day 32
            "3215051213850001": "Tanggal lahir",  # month 13
            "3215057203850001": "Tanggal lahir",  # woman, day 32
            "3215053002850001": "Tanggal lahir",  # 30 February
            "3215051203850000": "nol",  # sequence 0000
        }
        for nik, message in bad.items():
            with self.subTest(nik), self.assertRaisesMessage(ValidationError, message):
                clean_nik(nik)

    def test_masking_keeps_only_region_and_sequence(self):
        self.assertEqual(mask_nik("3215051203850003"), "3215••••••••0003")
        self.assertEqual(mask_nik(""), "")
        self.assertEqual(mask_nik("12345"), "•••••")  # too short to show any of it

    def test_nib_and_pirt_checks_are_soft_warnings(self):
        self.assertEqual(nib_warnings("1234567890123"), [])
        self.assertTrue(nib_warnings("12345"))
        self.assertEqual(pirt_warnings("2061215010231-29", date(2029, 5, 1)), [])
        self.assertTrue(pirt_warnings("2061215", date(2029, 5, 1)))
        mismatch = pirt_warnings("2061215010231-29", date(2031, 5, 1))
        self.assertTrue(any("29" in w and "2031" in w for w in mismatch))
        self.assertTrue(pirt_warnings("2061215010231-29", None))


class BusinessFormTests(PersonaTestCase):
    url = reverse("businesses:create")

    def test_mentor_adds_a_business_in_own_village(self):
        self.client.force_login(self.mentor.user)
        response = self.client.post(self.url, form_data(self.duren))
        business = Business.objects.get()
        self.assertRedirects(response, business.get_absolute_url())
        self.assertEqual(business.phone, "+6281234567890")
        self.assertEqual(business.monthly_turnover, 1_500_000)
        self.assertEqual(business.created_by, self.mentor.user)

    def test_mentor_cannot_pick_a_village_outside_their_assignment(self):
        self.client.force_login(self.mentor.user)
        response = self.client.post(self.url, form_data(self.payungsari))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Masukkan pilihan yang valid", status_code=400)
        self.assertFalse(Business.objects.exists())

    def test_bad_values_are_shown_next_to_their_fields_and_nothing_is_saved(self):
        self.client.force_login(self.mentor.user)
        data = form_data(
            self.duren,
            owner_nik="3.21505E+15",
            phone="12345",
            kbli="107",
            monthly_turnover="1,5 juta",
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"owner_nik", "phone", "kbli", "monthly_turnover"})
        self.assertContains(response, "notasi ilmiah", status_code=400)
        self.assertContains(response, 'id="errors-owner_nik"', status_code=400)
        self.assertFalse(Business.objects.exists())

    def test_inline_validation_answers_one_fields_errors_and_saves_nothing(self):
        self.client.force_login(self.mentor.user)
        data = form_data(self.duren, owner_nik="321505120385000", _validate="owner_nik")
        response = self.client.post(self.url, data, headers={"HX-Request": "true"})
        self.assertContains(response, "15 digit")
        self.assertNotContains(response, "<form")
        ok = self.client.post(
            self.url, form_data(self.duren, _validate="owner_nik"), headers={"HX-Request": "true"}
        )
        self.assertEqual(ok.content.strip(), b"")
        self.assertFalse(Business.objects.exists())

    def test_soft_warnings_need_confirmation(self):
        self.client.force_login(self.mentor.user)
        # Gender against the NIK is an error now (tests/test_business_sidt_fields.py).
        data = form_data(self.duren, nib_number="12345")
        response = self.client.post(self.url, data)
        self.assertContains(response, "NIB biasanya 13 digit", status_code=400)
        self.assertFalse(Business.objects.exists())
        response = self.client.post(self.url, data | {"confirm_warnings": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Business.objects.get().nib_number, "12345")

    def test_probable_duplicate_is_warned_before_saving(self):
        make_business(self.duren, owner_nik=NIK_MAN, name="Opak Ketan Mang Ujang")
        make_business(self.payungsari, name="Usaha Pedes", owner_nik="3215101203850009")
        self.client.force_login(self.mentor.user)
        response = self.client.post(self.url, form_data(self.duren, owner_nik=""))
        self.assertContains(response, "Mungkin duplikat: Opak Ketan Mang Ujang", status_code=400)
        self.assertContains(response, "nama sama di desa yang sama", status_code=400)
        # Staff, who may see whole NIKs, are told of the same NIK anywhere.
        self.client.force_login(self.staff)
        response = self.client.post(
            self.url, form_data(self.duren, owner_nik="3215101203850009", name="Baru")
        )
        self.assertContains(response, "Mungkin duplikat: Usaha Pedes", status_code=400)
        self.assertContains(response, "NIK pemilik sama", status_code=400)
        self.assertEqual(Business.objects.count(), 2)

    def test_a_nik_match_is_no_oracle_for_users_who_may_not_see_niks(self):
        make_business(self.duren, owner_nik=NIK_MAN, name="Nama Lain")
        make_business(self.payungsari, name="Usaha Pedes", owner_nik="3215101203850009")
        self.client.force_login(self.mentor.user)
        for nik in (NIK_MAN, "3215101203850009"):
            with self.subTest(nik):
                response = self.client.post(
                    self.url, form_data(self.duren, owner_nik=nik, name="Baru")
                )
                self.assertNotContains(response, "duplikat", status_code=302)
                Business.objects.filter(name="Baru").delete()


class NikPrivacyTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_business(cls.duren, owner_nik=NIK_WOMAN)

    def test_list_html_shows_the_nik_masked_for_everyone(self):
        for user in (self.staff, self.mentor.user, self.camat):
            with self.subTest(user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("businesses:list"))
                self.assertContains(response, "3215••••••••0002")
                self.assertNotContains(response, NIK_WOMAN)

    def test_only_the_permission_shows_the_whole_nik(self):
        url = self.business.get_absolute_url()
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(url), NIK_WOMAN)
        self.client.force_login(self.mentor.user)
        self.assertNotContains(self.client.get(url), NIK_WOMAN)

    def test_edit_form_never_sends_the_nik_without_the_permission_and_keeps_it(self):
        url = reverse("businesses:edit", args=[self.business.pk])
        self.client.force_login(self.mentor.user)
        page = self.client.get(url)
        self.assertNotContains(page, NIK_WOMAN)
        self.assertContains(page, "3215••••••••0002")
        data = form_data(
            self.duren,
            owner_nik="",
            owner_gender="P",
            name="Keripik Bu Iis Baru",
            version=self.business.version,
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.business.refresh_from_db()
        self.assertEqual(self.business.owner_nik, NIK_WOMAN)
        self.assertEqual(self.business.name, "Keripik Bu Iis Baru")

    def test_nik_is_not_in_urls_or_logs(self):
        self.client.force_login(self.staff)
        with self.assertLogs("django.request", level="WARNING") as logs:
            self.client.get(reverse("businesses:edit", args=[999]))
        self.assertNotIn(NIK_WOMAN, "\n".join(logs.output))
        for name in ("businesses:detail", "businesses:edit"):
            self.assertNotIn(NIK_WOMAN, reverse(name, args=[self.business.pk]))


class ConflictAndHistoryTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_business(cls.duren, owner_nik=NIK_WOMAN)

    def edit(self, user, version, **changes):
        self.client.force_login(user)
        data = (
            form_data(
                self.duren,
                owner_nik=NIK_WOMAN,
                owner_gender="P",
                name=self.business.name,
                version=version,
            )
            | changes
        )
        return self.client.post(reverse("businesses:edit", args=[self.business.pk]), data)

    def test_second_editor_gets_a_conflict_showing_the_current_state(self):
        opened = self.business.version
        self.assertEqual(self.edit(self.staff, opened, name="Versi Staf").status_code, 302)
        response = self.edit(self.mentor.user, opened, name="Versi Mentor")
        self.assertContains(response, "sudah diubah orang lain", status_code=400)
        self.assertContains(response, "Versi Staf", status_code=400)  # the stored value, shown
        self.business.refresh_from_db()
        self.assertEqual(self.business.name, "Versi Staf")
        # Resubmitting after seeing the current state is a deliberate overwrite.
        again = self.edit(
            self.mentor.user, response.context["form"].data["version"], name="Versi Mentor"
        )
        self.assertEqual(again.status_code, 302)
        self.business.refresh_from_db()
        self.assertEqual(self.business.name, "Versi Mentor")

    def test_every_change_is_recorded_with_who_and_what(self):
        self.edit(self.mentor.user, self.business.version, name="Nama Baru", employees="7")
        latest = self.business.history.latest()
        self.assertEqual(latest.history_user, self.mentor.user)
        self.assertEqual(latest.history_type, "~")
        self.client.force_login(self.staff)
        page = self.client.get(
            reverse("history_object", args=["businesses.business", self.business.pk])
        )
        self.assertContains(page, "Nama Baru")
        self.assertContains(page, "Mentor")  # who
        self.assertNotContains(page, NIK_WOMAN)

    def test_history_shows_that_the_birth_date_changed_but_not_the_date(self):
        business = Business.objects.get(pk=self.business.pk)
        business.owner_birth_date = date(1985, 3, 12)
        business.save()
        self.client.force_login(self.staff)
        page = self.client.get(
            reverse("history_object", args=["businesses.business", self.business.pk])
        )
        self.assertContains(page, "••••-••-••")
        for shown in ("1985", "12 Mar", "Maret 1985", "1985-03-12"):
            self.assertNotContains(page, shown)

    def test_product_create_and_delete_are_recorded(self):
        self.client.force_login(self.mentor.user)
        self.client.post(
            reverse("businesses:product_create", args=[self.business.pk]),
            {"name": "Keripik balado", "price": "12.000"},
        )
        product = Product.objects.get()
        self.assertEqual(product.price, 12000)
        self.client.post(reverse("businesses:product_delete", args=[product.pk]))
        self.assertFalse(Product.objects.exists())
        kinds = list(
            Product.history.order_by("history_date").values_list("history_type", "history_user")
        )
        self.assertEqual(kinds, [("+", self.mentor.user.pk), ("-", self.mentor.user.pk)])

    def test_history_pages_are_for_staff_only(self):
        for user in (self.mentor.user, self.camat, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("history")).status_code, 403)
        self.client.force_login(self.staff)
        response = self.client.get(reverse("history"), {"jenis": "businesses.business"})
        self.assertContains(response, self.business.name)
        self.assertEqual(
            self.client.get(reverse("history"), {"jenis": "auth.user"}).status_code, 404
        )


class BusinessAccessTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.business = make_business(cls.duren)
        cls.product = Product.objects.create(business=cls.business, name="Keripik", price=10000)

    def urls(self) -> dict[str, str]:
        return {
            "detail": reverse("businesses:detail", args=[self.business.pk]),
            "edit": reverse("businesses:edit", args=[self.business.pk]),
            "delete": reverse("businesses:delete", args=[self.business.pk]),
            "product_create": reverse("businesses:product_create", args=[self.business.pk]),
            "product_edit": reverse("businesses:product_edit", args=[self.product.pk]),
            "product_delete": reverse("businesses:product_delete", args=[self.product.pk]),
        }

    def test_outsiders_get_404_everywhere(self):
        for user in (self.other_mentor.user, self.expired_mentor.user, self.outsider):
            self.client.force_login(user)
            for name, url in self.urls().items():
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.client.post(url).status_code, 404)

    def test_read_only_users_read_but_get_403_on_every_write(self):
        for user in (self.camat, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.urls()["detail"]).status_code, 200)
            for name, url in self.urls().items():
                if name == "detail":
                    continue
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(url).status_code, 403)
                    self.assertEqual(self.client.post(url).status_code, 403)
            self.assertEqual(
                self.client.post(reverse("businesses:create"), form_data(self.duren)).status_code,
                403,
            )
        self.assertTrue(Business.objects.filter(pk=self.business.pk).exists())
        self.assertTrue(Product.objects.filter(pk=self.product.pk).exists())

    def test_delete_asks_for_confirmation_then_deletes(self):
        self.client.force_login(self.mentor.user)
        page = self.client.get(self.urls()["delete"])
        self.assertContains(page, "Ya, hapus")
        self.assertContains(page, "1 produk ikut terhapus")
        self.assertTrue(Business.objects.filter(pk=self.business.pk).exists())
        self.assertRedirects(self.client.post(self.urls()["delete"]), reverse("businesses:list"))
        self.assertFalse(Business.objects.filter(pk=self.business.pk).exists())

    def test_anonymous_is_sent_to_login(self):
        for url in self.urls().values():
            self.assertEqual(self.client.get(url).status_code, 302)


class BusinessListTests(PersonaTestCase):
    url = reverse("businesses:list")

    def test_search_and_filters(self):
        make_business(self.duren, "Keripik Bu Iis", nib_number="1234567890123")
        make_business(self.pancawati, "Batik Pak Odih", sector="fesyen", owner_name="Odih")
        make_business(self.payungsari, "Terasi Payungsari", owner_nik="")
        Product.objects.create(
            business=Business.objects.get(name="Batik Pak Odih"), name="Kain motif padi"
        )
        self.client.force_login(self.staff)
        cases = [
            ({"q": "odih"}, {"Batik Pak Odih"}),
            ({"q": "motif padi"}, {"Batik Pak Odih"}),
            ({"kecamatan": "32.15.05"}, {"Keripik Bu Iis", "Batik Pak Odih"}),
            ({"desa": "32.15.10.2001"}, {"Terasi Payungsari"}),
            ({"sektor": "fesyen"}, {"Batik Pak Odih"}),
            ({"legalitas": "nib"}, {"Batik Pak Odih", "Terasi Payungsari"}),
            ({"legalitas": "halal"}, {"Keripik Bu Iis", "Terasi Payungsari"}),
            ({"miskin_ekstrem": "on"}, {"Terasi Payungsari"}),
        ]
        for params, expected in cases:
            with self.subTest(params):
                page = self.client.get(self.url, params).context["page"]
                self.assertEqual({b.name for b in page.object_list}, expected)

    def test_pirt_expiring_filter(self):
        from datetime import timedelta

        from django.utils import timezone

        today = timezone.localdate()
        make_business(
            self.duren,
            "Lama",
            pirt_number="2061215010231-26",
            pirt_expiry=today + timedelta(days=30),
        )
        make_business(
            self.duren,
            "Masih lama",
            pirt_number="2061215010231-30",
            pirt_expiry=today + timedelta(days=900),
        )
        self.client.force_login(self.staff)
        page = self.client.get(self.url, {"legalitas": "pirt_habis"}).context["page"]
        self.assertEqual([b.name for b in page.object_list], ["Lama"])

    def test_empty_states(self):
        self.client.force_login(self.mentor.user)
        self.assertContains(self.client.get(self.url), "Belum ada usaha yang tercatat")
        self.assertContains(self.client.get(self.url, {"q": "zzz"}), "Tidak ada usaha yang cocok")

    def test_list_runs_a_constant_number_of_queries(self):
        self.client.force_login(self.staff)
        counts = []
        for n in (2, 20):
            for i in range(n):
                b = make_business(self.duren, f"Usaha {n}-{i}", owner_nik="")
                Product.objects.create(business=b, name=f"Produk {i}")
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])

    def test_htmx_gets_the_results_fragment(self):
        make_business(self.duren)
        self.client.force_login(self.staff)
        response = self.client.get(self.url, {"q": "keripik"}, headers={"HX-Request": "true"})
        self.assertTrue(response.content.decode().lstrip().startswith('<section id="results"'))


class IndexTests(PersonaTestCase):
    def indexed_columns(self, table: str) -> set[str]:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        return {
            c["columns"][0]
            for c in constraints.values()
            if (c["index"] or c["unique"]) and c["columns"]  # expression indexes have none
        }

    def test_every_list_filter_is_backed_by_an_index(self):
        business = self.indexed_columns(Business._meta.db_table)
        for column in (
            "village_id",
            "sector",
            "nib_number",
            "pirt_number",
            "pirt_expiry",
            "halal_number",
            "owner_nik",
        ):
            self.assertIn(column, business)
        from assistance.models import Case

        case = self.indexed_columns(Case._meta.db_table)
        for column in ("business_id", "service_id", "status", "step_id", "mentor_id"):
            self.assertIn(column, case)

    def test_profile_and_cooperative_filters_are_indexed_too(self):
        from assistance.models import Visit
        from businesses.models import OvopSelection, Potential
        from cooperatives.models import Activity, Cooperative, Flagship

        expected = {
            Potential: {"village_id", "category"},
            OvopSelection: {"village_id", "year"},
            Visit: {"village_id", "mentor_id", "date"},
            Cooperative: {"district_id", "type", "is_active", "last_rat_date", "registry_number"},
            Flagship: {"district_id", "year"},
            Activity: {"fiscal_year", "district_id", "status", "kind", "sipd_id"},
        }
        for model, columns in expected.items():
            with self.subTest(model.__name__):
                self.assertLessEqual(columns, self.indexed_columns(model._meta.db_table))


class SpreadsheetTests(PersonaTestCase):
    def test_import_with_bad_rows_writes_nothing_and_names_row_and_column(self):
        import tablib

        from businesses.resources import BusinessResource

        headers = [
            "name",
            "owner_name",
            "owner_nik",
            "owner_gender",
            "village_code",
            "sector",
            "employees",
        ]
        data = tablib.Dataset(headers=headers)
        data.append(["Keripik A", "Iis", NIK_WOMAN, "P", "32.15.05.2001", "makanan", 1])
        data.append(["Keripik B", "Euis", "3.21505E+15", "P", "32.15.05.2001", "makanan", 1])
        data.append(["Keripik C", "Odih", "321505120385000", "L", "32.15.05.2001", "makanan", 1])
        result = BusinessResource().import_data(data, dry_run=False, raise_errors=False)
        self.assertTrue(result.has_validation_errors())
        errors = {row.number: set(row.field_specific_errors) for row in result.invalid_rows}
        self.assertEqual(errors, {2: {"owner_nik"}, 3: {"owner_nik"}})
        self.assertIn("notasi ilmiah", str(result.invalid_rows[0].field_specific_errors))
        self.assertFalse(Business.objects.exists())

    def test_export_masks_the_nik_unless_permitted(self):
        from businesses.resources import BusinessResource

        make_business(self.duren, owner_nik=NIK_WOMAN)
        masked = BusinessResource(user=self.mentor.user).export().csv
        self.assertIn("3215••••••••0002", masked)
        self.assertNotIn(NIK_WOMAN, masked)
        self.assertIn(NIK_WOMAN, BusinessResource(user=self.staff).export().csv)
        self.assertNotIn(NIK_WOMAN, BusinessResource().export().csv)


class ProductPhotoAndDetailTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.client.force_login(self.mentor.user)

    def test_a_photo_that_is_not_an_image_is_refused(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
        response = self.client.post(
            reverse("businesses:product_create", args=[self.business.pk]),
            {"name": "Keripik", "photo": fake},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("photo", response.context["form"].errors)
        self.assertFalse(Product.objects.exists())

    def test_detail_runs_a_constant_number_of_queries(self):
        from assistance.models import Case, Service

        url = self.business.get_absolute_url()
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for i in range(5):
            Product.objects.create(business=self.business, name=f"Produk {i}")
        for service in Service.objects.all():
            case = Case.objects.create(business=self.business, service=service)
            case.add_note("catatan", by=self.mentor.user).save()
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(url)
        self.assertContains(response, "Produk 4")
        self.assertContains(response, "catatan")
        self.assertEqual(len(before), len(after))


class ProtectedDeleteTests(PersonaTestCase):
    def test_a_business_or_product_still_used_elsewhere_is_kept_with_a_clear_message(self):
        from businesses.models import OvopSelection

        business = make_business(self.duren)
        product = Product.objects.create(business=business, name="Keripik")
        OvopSelection.objects.create(village=self.duren, year=2026, product=product, reason="x")
        self.client.force_login(self.mentor.user)
        for url in (
            reverse("businesses:product_delete", args=[product.pk]),
            reverse("businesses:delete", args=[business.pk]),
        ):
            with self.subTest(url):
                response = self.client.post(url)
                self.assertContains(response, "masih dipakai di: produk OVOP", status_code=409)
        self.assertTrue(Product.objects.filter(pk=product.pk).exists())
        self.assertTrue(Business.objects.filter(pk=business.pk).exists())
