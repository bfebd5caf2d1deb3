"""Demo micro-businesses: about ten per mentored village, with owners, NIKs and products.

Names are invented. Deterministic (seeded by the village code) and idempotent: a village that
already has businesses is left alone.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from villages.models import Assignment, Village

from .models import (
    Business,
    Gender,
    OvopSelection,
    Potential,
    PotentialCategory,
    Product,
    Sector,
)

WOMEN = [
    "Iis",
    "Euis",
    "Neneng",
    "Yati",
    "Dedeh",
    "Enok",
    "Rohaeti",
    "Siti",
    "Nining",
    "Lilis",
    "Imas",
    "Cucu",
    "Tati",
    "Entin",
    "Ai",
]
MEN = [
    "Ujang",
    "Asep",
    "Dadang",
    "Cecep",
    "Endang",
    "Jajang",
    "Odih",
    "Maman",
    "Engkos",
    "Didin",
    "Ade",
    "Wawan",
]
SURNAMES = [
    "Suryana",
    "Rahmat",
    "Hidayat",
    "Supriatna",
    "Kurniasih",
    "Nurjanah",
    "Sobari",
    "Mulyana",
    "Rohmah",
    "Komariah",
    "Saepulloh",
    "Hermawan",
]

# (sector, business name pattern, [(product, price, description)])
KINDS = [
    (
        Sector.FOOD,
        "Keripik Singkong {owner}",
        [
            ("Keripik singkong balado", 12000, "Singkong lokal, pedas manis, 200 g"),
            ("Keripik singkong original", 10000, "200 g"),
        ],
    ),
    (Sector.FOOD, "Opak Ketan {village}", [("Opak ketan bakar", 15000, "Isi 10 lembar")]),
    (
        Sector.FOOD,
        "Rengginang {owner}",
        [("Rengginang terasi", 18000, "250 g, siap goreng"), ("Rengginang manis", 18000, "250 g")],
    ),
    (Sector.FOOD, "Kerupuk Udang {village}", [("Kerupuk udang mentah", 25000, "500 g")]),
    (Sector.FOOD, "Dodol Ketan {owner}", [("Dodol ketan hitam", 20000, "Kemasan 300 g")]),
    (Sector.FOOD, "Terasi {village}", [("Terasi udang rebon", 15000, "100 g, tanpa pengawet")]),
    (Sector.FISHERY, "Ikan Asin {owner}", [("Ikan asin jambal roti", 45000, "250 g")]),
    (
        Sector.AGRICULTURE,
        "Beras Organik {village}",
        [("Beras organik pandan wangi", 85000, "Karung 5 kg")],
    ),
    (
        Sector.CRAFT,
        "Anyaman Bambu {owner}",
        [("Besek bambu", 5000, "Ukuran 20 cm"), ("Tampah bambu", 30000, "Diameter 50 cm")],
    ),
    (
        Sector.FASHION,
        "Batik Karawang {owner}",
        [("Kain batik motif padi", 250000, "Batik cap, 2 m")],
    ),
    (Sector.TRADE, "Warung Sembako {owner}", []),
    (Sector.SERVICE, "Jahit {owner}", []),
]
PER_VILLAGE = 10


def fake_nik(rng: random.Random, village: Village, female: bool) -> str:
    district = village.district.code[-2:]
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    day = born.day + (40 if female else 0)
    return f"3215{district}{day:02d}{born:%m%y}{rng.randrange(1, 2000):04d}"


def seed_village(village: Village) -> int:
    rng = random.Random(village.code)  # noqa: S311 - demo data
    kinds = rng.sample(KINDS, PER_VILLAGE)
    for n, (sector, pattern, products) in enumerate(kinds):
        female = rng.random() < 0.65
        first = rng.choice(WOMEN if female else MEN)
        owner = f"{'Bu' if female else 'Pak'} {first}"
        business = Business.objects.create(
            name=pattern.format(owner=owner, village=village.name),
            owner_name=f"{first} {rng.choice(SURNAMES)}",
            owner_nik=fake_nik(rng, village, female),
            owner_gender=Gender.FEMALE if female else Gender.MALE,
            phone=f"0812{rng.randrange(10_000_000, 99_999_999)}",
            address=f"Kp. {rng.choice(['Krajan', 'Babakan', 'Sukamulya', 'Pasir'])} RT 0"
            f"{rng.randrange(1, 9)}/RW 0{rng.randrange(1, 5)}, Desa {village.name}",
            village=village,
            sector=sector,
            employees=rng.randrange(1, 6),
            monthly_turnover=rng.randrange(15, 300) * 100_000,
            # A third already have an NIB from earlier programmes.
            nib_number=f"{rng.randrange(10**12, 10**13)}" if n % 3 == 0 else "",
            nib_date=date(2021, 6, 1) + timedelta(days=rng.randrange(600)) if n % 3 == 0 else None,
            # Most owners agreed to the public showcase; a few did not.
            publication_consent=n % 4 != 3,
            consent_date=date(2026, 3, 15) if n % 4 != 3 else None,
        )
        for m, (name, price, description) in enumerate(products):
            product = Product(
                business=business,
                name=name,
                price=price,
                description=description,
                featured=m == 0,
            )
            product.photo.save(f"{name}.jpg", demo_photo(name, rng), save=False)
            product.save()
    return len(kinds)


@transaction.atomic
def seed(write: Callable[[str], None]) -> None:
    villages = Village.objects.filter(pk__in=Assignment.objects.values("village")).select_related(
        "district"
    )
    created = sum(seed_village(v) for v in villages if not v.businesses.exists())
    write(f"Usaha demo: {created} baru, {Business.objects.count()} seluruhnya.")


def demo_photo(label: str, rng: random.Random) -> ContentFile:
    """A small coloured card with the product's name: stands in for a real photo."""
    colour = rng.choice(["#0b6e4f", "#9a6700", "#b42318", "#1d4ed8", "#7c3aed", "#0e7490"])
    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=32)
    lines = [""]
    for word in label.split():
        if lines[-1] and len(lines[-1]) + len(word) > 16:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    draw.multiline_text(
        (240, 180), "\n".join(lines), fill="white", font=font, anchor="mm", align="center"
    )
    out = BytesIO()
    image.save(out, "JPEG", quality=75)
    return ContentFile(out.getvalue())


POTENTIALS = [
    (
        PotentialCategory.AGRICULTURE,
        "Sawah padi dan beras lokal",
        "Hamparan sawah irigasi teknis; gabah dijual ke tengkulak, peluang beras kemasan desa.",
    ),
    (
        PotentialCategory.FOOD,
        "Olahan pangan rumahan",
        "Ibu-ibu PKK membuat keripik, rengginang dan opak; belum berizin PIRT dan halal.",
    ),
    (
        PotentialCategory.FISHERY,
        "Tambak dan hasil laut",
        "Tambak bandeng dan udang; hasil sampingan untuk terasi dan kerupuk.",
    ),
    (
        PotentialCategory.CULINARY,
        "Kuliner khas desa",
        "Warung pinggir jalan kabupaten ramai pada akhir pekan.",
    ),
    (
        PotentialCategory.RELIGIOUS,
        "Makam keramat dan ziarah",
        "Ramai peziarah saat bulan Maulid; peluang lapak oleh-oleh.",
    ),
    (
        PotentialCategory.NATURE,
        "Pantai dan hutan mangrove",
        "Pantai utara dengan mangrove; perlu jalur dan fasilitas sederhana.",
    ),
]


@transaction.atomic
def seed_profiles(write: Callable[[str], None]) -> None:
    """Potentials for every mentored village and this year's OVOP in most of them."""
    year = timezone.localdate().year
    assignments = Assignment.objects.select_related("village", "mentor__user").order_by("pk")
    added = 0
    for n, assignment in enumerate(assignments):
        village = assignment.village
        if village.potentials.exists():
            continue
        rng = random.Random(f"profile-{village.code}")  # noqa: S311 - demo data
        businesses = list(village.businesses.all())
        for category, title, description in rng.sample(POTENTIALS, 3):
            potential = Potential.objects.create(
                village=village,
                category=category,
                title=title,
                description=description,
                recorded_by=assignment.mentor.user,
            )
            potential.businesses.set(rng.sample(businesses, min(2, len(businesses))))
            added += 1
        featured = list(
            Product.objects.filter(
                business__village=village, featured=True, business__publication_consent=True
            )
        )
        if featured and n % 4 != 3:
            OvopSelection.objects.get_or_create(
                village=village,
                year=year,
                defaults={
                    "product": rng.choice(featured),
                    "chosen_by": assignment.mentor.user,
                    "reason": "Bahan baku dari desa sendiri, dibuat turun-temurun, dan paling "
                    "dicari pembeli dari luar desa.",
                },
            )
    write(
        f"Potensi demo: {added} baru; OVOP {year}: "
        f"{OvopSelection.objects.filter(year=year).count()} desa."
    )
