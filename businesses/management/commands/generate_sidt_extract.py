"""A realistic synthetic SIDT KUMKM extract of the home regency, as CSV:

    manage.py generate_sidt_extract --rows 200000 --out sidt.csv
    manage.py generate_sidt_extract --changed-from sidt.csv --change 5 --out sidt-2.csv

Valid NIKs whose kecamatan, birth date (+40 for women) and serial agree with the owner's sex and
date of birth, names from word lists, villages by name or by code, and `--mess` percent of the
mess real extracts have that the import accepts (names in other case, extra spaces, RT/RW and
phones that lost their leading zero, blank optional values) plus 1% of rows from another regency.
`--broken` adds that percentage of rows the import refuses (NIK in scientific notation or with a
digit lost). `--changed-from` copies an extract, changing `--change` percent of its rows (turnover,
workers, phone, address) with a new `updated_at`.
"""

import csv
import random
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from businesses.sidt import COLUMN_NAMES
from villages.models import Village

FIRST = (  # noqa: SIM905 - a word list reads better as text
    "Asep Dede Ujang Cecep Dadang Agus Budi Eko Joko Slamet Rudi Hendra Iwan Yusuf Fajar Rizki "
    "Ilham Dimas Andi Ahmad"
).split()
FIRST_WOMEN = (  # noqa: SIM905
    "Siti Dewi Euis Nining Neneng Yati Tuti Rina Sri Wati Nurul Intan Ayu Fitri Lilis Imas Entin "
    "Cucu Ratna Yanti"
).split()
LAST = (  # noqa: SIM905
    "Saepudin Hidayat Kurniawan Ramadhan Nurhasanah Permatasari Komalasari Maulana Marlina "
    "Firmansyah Lestari Setiawan Suryana Sutisna Supriatna Rohman Wahyudi Santoso Suryani"
).split()
KINDS = [
    ("Keripik", "C", "10794", "Keripik singkong"),
    ("Warung", "G", "47111", "Sembako"),
    ("Rengginang", "C", "10792", "Rengginang"),
    ("Jahit", "C", "14111", "Pakaian jadi"),
    ("Anyaman", "C", "16299", "Anyaman bambu"),
    ("Bengkel", "G", "45405", "Servis motor"),
    ("Kedai Kopi", "I", "56303", "Kopi"),
    ("Ternak Lele", "A", "03221", "Lele"),
    ("Sawah", "A", "01121", "Padi"),
    ("Cukur", "S", "96021", "Potong rambut"),
]
EDUCATION = ["sd", "smp", "sma", "sma", "diploma", "s1", ""]
SPREAD = (date(2022, 6, 1), date(2025, 12, 31))
ELSEWHERE = ("JAWA BARAT", "KABUPATEN BEKASI", "Cikarang Barat", "Telaga Asih")


def _nik(rnd: random.Random, district_code: str, born: date, woman: bool) -> str:
    day = born.day + (40 if woman else 0)
    serial = rnd.randint(1, 9999)
    return f"{district_code.replace('.', '')}{day:02d}{born:%m%y}{serial:04d}"


def _moment(rnd: random.Random) -> str:
    days = (SPREAD[1] - SPREAD[0]).days
    moment = datetime.combine(SPREAD[0], datetime.min.time()) + timedelta(
        days=rnd.randrange(days), seconds=rnd.randrange(86400)
    )
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class Extract:
    def __init__(self, seed: int, mess: float, broken: float) -> None:
        self.rnd = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.mess, self.broken = mess / 100, broken / 100
        self.villages = list(Village.objects.in_home_regency().select_related("district"))
        if not self.villages:
            raise CommandError("No villages of the home regency: run load_areas first.")
        self.pulled = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")

    def row(self, number: int) -> dict:
        rnd = self.rnd
        village = rnd.choice(self.villages)
        woman = rnd.random() < 0.55
        born = date(rnd.randint(1955, 2004), rnd.randint(1, 12), rnd.randint(1, 28))
        owner = f"{rnd.choice(FIRST_WOMEN if woman else FIRST)} {rnd.choice(LAST)}"
        kind, category, kbli, product = rnd.choice(KINDS)
        by_code = rnd.random() < 0.5
        turnover = rnd.randrange(6, 1800) * 1_000_000
        row = dict.fromkeys(COLUMN_NAMES, "")
        row |= {
            "id_data_badan_usaha": f"SIDT-{number:09d}",
            "nik_pengusaha": _nik(rnd, village.district.code, born, woman),
            "nama_pengusaha": owner,
            "jenis_kelamin": "P" if woman else "L",
            "is_disabilitas": "1" if rnd.random() < 0.02 else "0",
            "tanggal_lahir": born.isoformat(),
            "pendidikan_formal": rnd.choice(EDUCATION),
            "kontak_hp": f"08{rnd.randint(11, 99)}{rnd.randint(10_000_000, 99_999_999)}",
            "alamat_pengusaha": f"Kp. {rnd.choice(LAST)}",
            "rt_pengusaha": f"{rnd.randint(1, 20):03d}",
            "rw_pengusaha": f"{rnd.randint(1, 10):03d}",
            "nama_usaha": f"{kind} {owner.split()[0]} {number}",
            "kegiatan_utama": kind,
            "produk_utama": product,
            "kategori_kbli": category,
            "kode_kbli": kbli,
            "status_badan_usaha": "perorangan",
            "skala_usaha": "mikro" if turnover <= 2_000_000_000 else "kecil",
            "modal_pendirian": str(rnd.randrange(1, 50) * 1_000_000),
            "bulan_mulai_operasi": str(rnd.randint(1, 12)),
            "tahun_mulai_operasi": str(rnd.randint(1990, 2023)),
            "omzet_tahunan": str(turnover),
            "asset": str(rnd.randrange(1, 500) * 1_000_000),
            "alamat_usaha": f"Jl. {rnd.choice(LAST)} No. {rnd.randint(1, 200)}",
            "rt_usaha": f"{rnd.randint(1, 20):03d}",
            "rw_usaha": f"{rnd.randint(1, 10):03d}",
            "alamat_latitude": f"{rnd.uniform(-6.45, -6.05):.6f}",
            "alamat_longitude": f"{rnd.uniform(107.1, 107.6):.6f}",
            "tk_dibayar_laki": str(rnd.randint(0, 3)),
            "tk_dibayar_perempuan": str(rnd.randint(0, 3)),
            "tk_not_dibayar_laki": str(rnd.randint(0, 2)),
            "tk_not_dibayar_perempuan": str(rnd.randint(0, 2)),
            "pulled_at": self.pulled,
            "updated_at": _moment(rnd),
            "source_page": str(number // 1000 + 1),
        }
        for prefix in ("pengusaha", "usaha"):
            row[f"prov_{prefix}"] = "32" if by_code else "JAWA BARAT"
            row[f"kab_{prefix}"] = "32.15" if by_code else "KABUPATEN KARAWANG"
            row[f"kec_{prefix}"] = village.district.code if by_code else village.district.name
            row[f"kel_{prefix}"] = village.code if by_code else village.name
        self._mess(row)
        return row

    def _mess(self, row: dict) -> None:
        rnd = self.rnd
        if rnd.random() < 0.01:
            for prefix in ("pengusaha", "usaha"):
                for level, value in zip(("prov", "kab", "kec", "kel"), ELSEWHERE, strict=True):
                    row[f"{level}_{prefix}"] = value
            return
        if rnd.random() < self.broken:
            nik = row["nik_pengusaha"]
            row["nik_pengusaha"] = rnd.choice([f"{nik[0]},{nik[1:6]}E+15", nik[:-1]])
            return
        if rnd.random() >= self.mess:
            return
        kind = rnd.randrange(6)
        if kind == 0:
            row["nama_usaha"] = row["nama_usaha"].upper()
            row["nama_pengusaha"] = row["nama_pengusaha"].lower()
        elif kind == 1:
            row["nama_usaha"] = "  " + row["nama_usaha"].replace(" ", "   ") + " "
        elif kind == 2:
            row["rt_usaha"], row["rw_pengusaha"] = str(int(row["rt_usaha"])), ""
        elif kind == 3:
            row["kontak_hp"] = row["kontak_hp"][1:]  # the leading 0 lost
        elif kind == 4:
            for name in ("pendidikan_formal", "asset", "alamat_latitude", "alamat_longitude"):
                row[name] = ""
        else:
            row["kel_usaha"] = "Desa " + row["kel_usaha"].upper()
            if row["kel_usaha"][5:6].isdigit():
                row["kel_usaha"] = row["kel_usaha"][5:]

    def change(self, row: dict) -> dict:
        rnd = self.rnd
        row = dict(row)
        row["omzet_tahunan"] = str(rnd.randrange(6, 1800) * 1_000_000)
        row["tk_dibayar_perempuan"] = str(rnd.randint(0, 5))
        if rnd.random() < 0.5:
            row["kontak_hp"] = f"08{rnd.randint(11, 99)}{rnd.randint(10_000_000, 99_999_999)}"
        if rnd.random() < 0.3:
            row["alamat_usaha"] = f"Jl. {rnd.choice(LAST)} No. {rnd.randint(1, 200)}"
        row["updated_at"] = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        return row


class Command(BaseCommand):
    help = "Menulis ekstrak SIDT sintetis (CSV) untuk kabupaten ini."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=1000)
        parser.add_argument("--out", required=True)
        parser.add_argument("--seed", type=int, default=14)
        parser.add_argument("--mess", type=float, default=3.0, help="percent of messy rows")
        parser.add_argument("--broken", type=float, default=0.0, help="percent of refused rows")
        parser.add_argument("--changed-from", dest="changed_from")
        parser.add_argument("--change", type=float, default=5.0, help="percent of rows changed")

    def handle(self, *args, **options) -> None:
        written = write_extract(**{k: options[k] for k in WRITE_OPTIONS})
        self.stdout.write(f"{written:,} baris ditulis ke {options['out']}")


WRITE_OPTIONS = ("rows", "out", "seed", "mess", "broken", "changed_from", "change")


def write_extract(
    *, rows: int, out: str, seed=14, mess=3.0, broken=0.0, changed_from=None, change=5.0
) -> int:
    extract = Extract(seed, mess, broken)
    with open(out, "w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        if changed_from:
            count = 0
            with open(changed_from, newline="", encoding="utf-8-sig") as source:
                for row in csv.DictReader(source):
                    if extract.rnd.random() < change / 100:
                        row = extract.change(row)
                    writer.writerow(row)
                    count += 1
            return count
        for number in range(1, rows + 1):
            writer.writerow(extract.row(number))
    return rows
