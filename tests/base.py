"""Named personas shared by every test: each view is tried by the insider, the outsider and the
read-only user."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase
from django.utils import timezone

from villages import roles
from villages.models import (
    Assignment,
    District,
    KecamatanViewer,
    Mentor,
    Province,
    Regency,
    Village,
    one_year_after,
)

User = get_user_model()
PASSWORD = "rahasia-uji-123"


def make_user(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_mentor(username: str, *villages: Village, start=None, end=None) -> Mentor:
    mentor = Mentor.objects.create(
        user=make_user(username, roles.MENTOR, first_name=username.title()), cohort_year=2026
    )
    start = start or timezone.localdate() - timedelta(days=30)
    for village in villages:
        Assignment.objects.create(
            mentor=mentor, village=village, start_date=start, end_date=end or one_year_after(start)
        )
    return mentor


class PersonaTestCase(TestCase):
    """Two kecamatan (Klari, Pedes) with villages, and one persona per kind of user:

    - `mentor`: active in Duren (Klari); `other_mentor`: active in Payungsari (Pedes)
    - `expired_mentor`: was in Pancawati (Klari), assignment ended yesterday
    - `camat`: kecamatan viewer of Klari (read-only)
    - `staff`: Dinkop; `leader`: regency leadership (read-only, everywhere)
    - `outsider`: signed in, no role
    """

    @classmethod
    def setUpTestData(cls) -> None:
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KABUPATEN KARAWANG")
        cls.klari = District.objects.create(code="32.15.05", regency=regency, name="Klari")
        cls.pedes = District.objects.create(code="32.15.10", regency=regency, name="Pedes")
        cls.duren = Village.objects.create(code="32.15.05.2001", district=cls.klari, name="Duren")
        cls.pancawati = Village.objects.create(
            code="32.15.05.2002", district=cls.klari, name="Pancawati"
        )
        cls.payungsari = Village.objects.create(
            code="32.15.10.2001", district=cls.pedes, name="Payungsari", extreme_poverty_year=2022
        )
        today = timezone.localdate()
        cls.mentor = make_mentor("mentor", cls.duren)
        cls.other_mentor = make_mentor("other_mentor", cls.payungsari)
        cls.expired_mentor = make_mentor(
            "expired_mentor",
            cls.pancawati,
            start=today - timedelta(days=366),
            end=today - timedelta(days=1),
        )
        cls.camat = make_user("camat", roles.KECAMATAN)
        KecamatanViewer.objects.create(user=cls.camat, district=cls.klari, role="camat")
        cls.staff = make_user("dinkop", roles.DINKOP)
        cls.leader = make_user("pimpinan", roles.LEADERSHIP)
        cls.outsider = make_user("outsider")
