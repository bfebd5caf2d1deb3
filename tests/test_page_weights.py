"""`manage.py page_weights`: every mentor page and fragment within issue 12's budgets."""

from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command

from assistance.models import CaseEvent, Visit
from reports.management.commands import page_weights

from .base import PersonaTestCase
from .test_assistance import make_case
from .test_businesses import make_business

PAGES = [
    "Desa saya (beranda)",
    "Tugas saya",
    "Kasus",
    "Usaha",
    "Daftar usaha",
    "Daftar kasus",
    "Kunjungan",
    "Catat kunjungan",
    "Desa",
]
FRAGMENTS = ["Daftar usaha, disaring", "Daftar kasus, disaring", "Kasus: catatan baru"]


class PageWeightTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for i in range(30):  # more than a page of businesses and cases
            make_case(make_business(cls.duren, f"Usaha {i}", owner_nik=""), "halal")
        Visit.objects.create(mentor=cls.mentor, village=cls.duren, activities="Pendataan")

    def test_every_mentor_page_and_fragment_is_within_its_budget(self):
        weights = page_weights.measure(self.mentor.user)
        self.assertEqual([w.name for w in weights], PAGES + FRAGMENTS)
        for weight in weights:
            with self.subTest(weight.name):
                self.assertEqual(weight.over(), [])
                self.assertGreater(weight.html, weight.html_gz)
                if weight.fragment:
                    self.assertLessEqual(weight.html_gz, page_weights.FRAGMENT_BUDGET)
                else:
                    self.assertLessEqual(weight.first_load, page_weights.FIRST_LOAD_BUDGET)
                    self.assertLessEqual(weight.html_gz, page_weights.CACHED_BUDGET)
                    # The stylesheet and htmx are counted in the first load, not the cached one.
                    self.assertIn("/static/css/app.css", weight.assets)
                    self.assertTrue(any("htmx" in url for url in weight.assets))
                    self.assertEqual(weight.first_load, weight.html_gz + weight.assets_gz)

    def test_the_command_prints_every_page_and_leaves_no_note_behind(self):
        out = StringIO()
        call_command("page_weights", "--user", "mentor", "--check", stdout=out)
        printed = out.getvalue()
        for name in PAGES + FRAGMENTS:
            self.assertIn(name, printed)
        self.assertIn("All within budget.", printed)
        self.assertFalse(CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).exists())

    def test_a_page_over_its_budget_is_flagged(self):
        with mock.patch.object(page_weights, "FIRST_LOAD_BUDGET", 1024):
            out = StringIO()
            call_command("page_weights", "--user", "mentor", stdout=out)
            self.assertIn("OVER: first load", out.getvalue())
            with self.assertRaisesMessage(CommandError, "Over budget: Desa saya (beranda)"):
                call_command("page_weights", "--user", "mentor", "--check", stdout=StringIO())

    def test_a_user_who_is_not_a_mentor_is_refused(self):
        with self.assertRaisesMessage(CommandError, "No mentor 'dinkop'"):
            call_command("page_weights", "--user", "dinkop", stdout=StringIO())
