"""Validation on the ground floor: phone numbers and assignment periods."""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from core.validators import normalize_phone
from villages.models import Assignment, Mentor, one_year_after

from .base import PersonaTestCase, make_user


class PhoneTests(SimpleTestCase):
    def test_indonesian_numbers_are_normalised_to_plus_62(self):
        for raw in (
            "0812-3456-7890",
            "081234567890",
            "+62 812 3456 7890",
            "6281234567890",
            "(0812) 3456.7890",
        ):
            with self.subTest(raw):
                self.assertEqual(normalize_phone(raw), "+6281234567890")

    def test_landline_with_area_code_is_accepted(self):
        self.assertEqual(normalize_phone("0267-401234"), "+62267401234")

    def test_bad_numbers_are_refused_with_a_clear_message(self):
        for raw in (
            "12345",
            "0812",
            "+1 415 555 0100",
            "08123456789012345",
            "nomor",
            "0812abc4567",
        ):
            with self.subTest(raw), self.assertRaisesMessage(ValidationError, "tidak valid"):
                normalize_phone(raw)

    def test_spreadsheet_scientific_notation_is_refused_not_repaired(self):
        for raw in ("8,12346E+11", "6.28123E+12"):
            with self.subTest(raw), self.assertRaisesMessage(ValidationError, "notasi ilmiah"):
                normalize_phone(raw)


class AssignmentTests(PersonaTestCase):
    def test_one_year_by_default(self):
        self.assertEqual(one_year_after(date(2026, 3, 1)), date(2027, 2, 28))
        self.assertEqual(one_year_after(date(2024, 2, 29)), date(2025, 2, 28))
        assignment = Assignment.objects.create(
            mentor=self.mentor, village=self.pancawati, start_date=date(2025, 3, 1)
        )
        self.assertEqual(assignment.end_date, date(2026, 2, 28))

    def test_end_before_start_is_refused(self):
        assignment = Assignment(
            mentor=self.mentor,
            village=self.pancawati,
            start_date=date(2026, 3, 1),
            end_date=date(2026, 2, 1),
        )
        with self.assertRaises(ValidationError) as raised:
            assignment.full_clean()
        self.assertIn("end_date", raised.exception.message_dict)

    def test_overlapping_assignment_to_the_same_village_is_refused(self):
        existing = self.mentor.assignments.get()
        overlap = Assignment(
            mentor=self.mentor, village=self.duren, start_date=existing.end_date, end_date=None
        )
        with self.assertRaisesMessage(ValidationError, "bertumpuk"):
            overlap.full_clean()
        later = Assignment(
            mentor=self.mentor,
            village=self.duren,
            start_date=one_year_after(existing.end_date),
            end_date=None,
        )
        later.full_clean()

    def test_mentor_phone_is_stored_normalised_and_gives_a_whatsapp_link(self):
        mentor = Mentor.objects.create(
            user=make_user("hp"), cohort_year=2026, phone="0812-1111-2222"
        )
        mentor.refresh_from_db()
        self.assertEqual(mentor.phone, "+6281211112222")
        self.assertEqual(mentor.whatsapp_url, "https://wa.me/6281211112222")

    def test_mentor_with_a_bad_phone_fails_validation(self):
        mentor = Mentor(user=make_user("hp2"), cohort_year=2026, phone="3.21505E+15")
        with self.assertRaises(ValidationError) as raised:
            mentor.full_clean()
        self.assertIn("phone", raised.exception.message_dict)


class RupiahFieldTests(SimpleTestCase):
    def test_accepts_what_people_type_and_refuses_decimals(self):
        from django import forms

        from core.forms import RupiahField

        field = RupiahField(required=False)
        for raw, expected in (
            ("Rp 1.500.000", 1_500_000),
            ("1500000", 1_500_000),
            ("1,500,000", 1_500_000),
            ("rp. 25.000", 25_000),
            ("", None),
        ):
            with self.subTest(raw):
                self.assertEqual(field.clean(raw), expected)
        for raw in ("1,5", "1.5 juta", "1.50.000", "-5000"):
            with self.subTest(raw), self.assertRaises(forms.ValidationError):
                field.clean(raw)

    def test_shows_dots_in_every_language(self):
        from django.utils import translation

        from core.forms import RupiahField

        with translation.override("en"):
            self.assertEqual(RupiahField().prepare_value(1500000), "1.500.000")
