"""Demo data: the Patriot Desa programme from the 2022 source article, and one account per role.

12 mentors in 12 villages of Pedes, Klari, Cibuaya and Jatisari (three villages each), four of
them flagged extreme-poverty. The article names neither the mentors nor the villages: the names
below are invented and the villages chosen for illustration. By default the placement runs in the
current programme year so that the demo accounts have active assignments; `--year 2022` places it
when the article did (the assignments are then expired). Idempotent: run it as often as you like.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from villages import demo, roles
from villages.models import Assignment, District, KecamatanViewer, Mentor, Village, one_year_after

DEMO_PASSWORD = "demo-karawang"  # noqa: S105 - demo accounts only, listed in README
EXTREME_POVERTY_YEAR = 2022

# kecamatan -> [(village, mentor username, first name, last name, phone, extreme poverty)]
PROGRAMME = {
    "Pedes": [
        ("Payungsari", "patriot01", "Rizki", "Ramadhan", "081234560101", False),
        ("Kertaraharja", "patriot02", "Siti", "Nurhasanah", "081234560102", False),
        ("Sungaibuntu", "patriot03", "Dede", "Kurniawan", "081234560103", True),
    ],
    "Klari": [
        ("Duren", "patriot04", "Nurul", "Fitriani", "081234560104", False),
        ("Pancawati", "patriot05", "Asep", "Saepudin", "081234560105", False),
        ("Walahar", "patriot06", "Intan", "Permatasari", "081234560106", False),
    ],
    "Cibuaya": [
        ("Cemarajaya", "patriot07", "Fajar", "Hidayat", "081234560107", True),
        ("Sedari", "patriot08", "Euis", "Komalasari", "081234560108", True),
        ("Pajaten", "patriot09", "Yusuf", "Maulana", "081234560109", False),
    ],
    "Jatisari": [
        ("Barugbug", "patriot10", "Rina", "Marlina", "081234560110", True),
        ("Mekarsari", "patriot11", "Ilham", "Firmansyah", "081234560111", False),
        ("Situdam", "patriot12", "Dewi", "Lestari", "081234560112", False),
    ],
}

# username -> (first name, last name, role group, superuser)
ACCOUNTS = {
    "admin": ("Admin", "Sistem", roles.ADMINISTRATOR, True),
    "dinkop": ("Leoni", "Whisnuwardhani", roles.DINKOP, False),
    "pimpinan": ("Pimpinan", "Kabupaten", roles.LEADERSHIP, False),
    "camat.klari": ("Camat", "Klari", roles.KECAMATAN, False),
    "pkk.pedes": ("Ketua TP PKK", "Pedes", roles.KECAMATAN, False),
}
VIEWERS = {"camat.klari": ("Klari", "camat"), "pkk.pedes": ("Pedes", "tp_pkk")}


def programme_start(year: int | None) -> date:
    """Placements begin in March (the 2022 cohort met the office in late March)."""
    if year:
        return date(year, 3, 1)
    today = timezone.localdate()
    return date(today.year if today.month >= 3 else today.year - 1, 3, 1)


class Command(BaseCommand):
    help = "Mengisi data demo: 12 Patriot Desa di 12 desa dan satu akun per peran."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="tahun penempatan (bawaan: tahun program ini)")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not District.objects.filter(regency__code="32.15").exists():
            raise CommandError(
                "Data wilayah Karawang belum dimuat: jalankan load_areas --regency 32.15"
            )
        roles.ensure_roles()
        start = programme_start(options["year"])
        users = {name: self.account(name, *spec) for name, spec in ACCOUNTS.items()}
        for username, (district_name, role) in VIEWERS.items():
            KecamatanViewer.objects.update_or_create(
                user=users[username],
                defaults={"district": self.district(district_name), "role": role},
            )
        for district_name, placements in PROGRAMME.items():
            district = self.district(district_name)
            for village_name, username, first, last, phone, poor in placements:
                village = Village.objects.get(district=district, name=village_name)
                if poor and village.extreme_poverty_year is None:
                    village.extreme_poverty_year = EXTREME_POVERTY_YEAR
                    village.save(update_fields=["extreme_poverty_year"])
                user = self.account(username, first, last, roles.MENTOR, False)
                mentor, _ = Mentor.objects.update_or_create(
                    user=user, defaults={"phone": phone, "cohort_year": start.year}
                )
                Assignment.objects.get_or_create(
                    mentor=mentor,
                    village=village,
                    start_date=start,
                    defaults={"end_date": one_year_after(start)},
                )
        demo.run_steps(self.stdout.write)
        self.stdout.write(
            f"Demo siap: {Mentor.objects.count()} Patriot Desa, "
            f"{Assignment.objects.active().count()} penugasan aktif, "
            f"{Village.objects.extreme_poverty().count()} desa miskin ekstrem. "
            f"Kata sandi semua akun demo: {DEMO_PASSWORD}"
        )

    def district(self, name: str) -> District:
        return District.objects.get(regency__code="32.15", name=name)

    def account(self, username: str, first: str, last: str, role: str, superuser: bool):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_superuser": superuser,
                "is_staff": role == roles.ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        return user
