"""Demo cooperatives in every mentored kecamatan, a flagship in two of them, kecamatan partners,
and a year of SIPD-coded activities with budgets. Names are invented. Idempotent."""

import random
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from villages.models import Assignment, District

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Cooperative,
    CooperativeType,
    Equipment,
    Flagship,
    HealthRating,
    KecamatanPartner,
    Organiser,
    Participation,
    SipdCode,
)

COOPERATIVES = [
    ("Koperasi Simpan Pinjam Mekar Sari {district}", CooperativeType.SAVINGS),
    ("Koperasi Produsen Tani Makmur {district}", CooperativeType.PRODUCER),
    ("Koperasi Konsumen Wanita Sejahtera {district}", CooperativeType.CONSUMER),
]

# (kind, SIPD sub-kegiatan, title, ceiling, organiser, month, held)
ACTIVITIES = [
    (
        ActivityKind.COOP_TRAINING,
        "2.17.05.2.01.0001",
        "Pelatihan tata kelola dan RAT koperasi",
        45_000_000,
        Organiser.DINKOP,
        3,
        True,
    ),
    (
        ActivityKind.BUSINESS_TRAINING,
        "2.17.07.2.01.0015",
        "Pelatihan kemasan dan pemasaran daring",
        30_000_000,
        Organiser.PKK,
        5,
        True,
    ),
    (
        ActivityKind.BAZAAR,
        "2.17.06.2.01.0009",
        "Bazar produk koperasi dan UMKM kecamatan",
        25_000_000,
        Organiser.KECAMATAN,
        8,
        True,
    ),
    (
        ActivityKind.EQUIPMENT,
        "2.17.06.2.01.0009",
        "Pengadaan tenda dan genset untuk bazar",
        60_000_000,
        Organiser.DINKOP,
        6,
        True,
    ),
    (
        ActivityKind.FGD,
        "2.17.03.2.01.0003",
        "FGD sinergi camat, TP PKK dan koperasi",
        10_000_000,
        Organiser.KECAMATAN,
        12,
        False,
    ),
]


def mentored_districts():
    return District.objects.filter(pk__in=Assignment.objects.values("village__district")).order_by(
        "name"
    )


@transaction.atomic
def seed(write: Callable[[str], None]) -> None:
    today = timezone.localdate()
    year = today.year
    codes = {c.code: c for c in SipdCode.objects.all()}
    for n, district in enumerate(mentored_districts()):
        if district.cooperatives.exists():
            continue
        rng = random.Random(f"coop-{district.code}")  # noqa: S311 - demo data
        villages = list(district.villages.all())
        cooperatives = []
        for m, (pattern, kind) in enumerate(COOPERATIVES):
            # The third one in every other kecamatan has missed its RATs: flagged at risk.
            late = m == 2 and n % 2 == 0
            cooperatives.append(
                Cooperative.objects.create(
                    name=pattern.format(district=district.name),
                    registry_number=f"3215{rng.randrange(10**11, 10**12)}",
                    type=kind,
                    district=district,
                    village=rng.choice(villages),
                    chair_name=rng.choice(["H. Endang", "Hj. Euis", "Dadang S.", "Nining K."]),
                    contact_phone=f"0813{rng.randrange(10_000_000, 99_999_999)}",
                    members_male=rng.randrange(20, 150),
                    members_female=rng.randrange(20, 200),
                    last_rat_year=year - (4 if late else 1),
                    last_rat_date=date(year - (3 if late else 0), 3, rng.randrange(1, 28)),
                    health_rating=HealthRating.SUPERVISED if late else HealthRating.HEALTHY,
                )
            )
        KecamatanPartner.objects.create(
            district=district, role="camat", name=f"Camat {district.name}"
        )
        KecamatanPartner.objects.create(
            district=district, role="ketua_pkk", name=f"Ketua TP PKK {district.name}"
        )
        if n < 2:
            Flagship.objects.get_or_create(
                district=district,
                year=year,
                defaults={
                    "cooperative": cooperatives[1],
                    "reason": "Anggota terbanyak dari petani desa binaan; RAT tertib.",
                },
            )
        for kind, code, title, ceiling, organiser, month, held in ACTIVITIES:
            start = date(year, month, rng.randrange(1, 25))
            held = held and start <= today
            activity = Activity.objects.create(
                title=f"{title} {district.name}",
                kind=kind,
                sipd=codes[code],
                fiscal_year=year,
                budget_ceiling=ceiling,
                realised=int(round(ceiling * rng.uniform(0.8, 0.98), -3)) if held else 0,
                status=ActivityStatus.HELD if held else ActivityStatus.PLANNED,
                start_date=start,
                end_date=start + timedelta(days=1 if held else 0),
                district=district,
                village=rng.choice(villages),
                organiser=organiser,
                outcome="Peserta hadir lengkap; tindak lanjut pendampingan." if held else "",
            )
            if held:
                for cooperative in cooperatives:
                    Participation.objects.create(
                        activity=activity,
                        cooperative=cooperative,
                        attendees_male=rng.randrange(1, 8),
                        attendees_female=rng.randrange(2, 12),
                    )
            if kind == ActivityKind.EQUIPMENT and held:
                Equipment.objects.create(
                    activity=activity,
                    item="Tenda 4×6 m",
                    quantity=4,
                    unit_cost=6_500_000,
                    recipient=cooperatives[1],
                )
                Equipment.objects.create(
                    activity=activity,
                    item="Genset 5.000 W",
                    quantity=2,
                    unit_cost=12_000_000,
                    recipient=cooperatives[2],
                )
    write(
        f"Koperasi demo: {Cooperative.objects.count()} koperasi, "
        f"{Flagship.objects.filter(year=year).count()} koperasi unggulan {year}, "
        f"{Activity.objects.filter(fiscal_year=year).count()} kegiatan {year}."
    )
