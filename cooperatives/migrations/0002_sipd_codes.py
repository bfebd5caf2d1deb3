"""Seed the SIPD nomenclature for cooperative & SME affairs (urusan 2.17) from DOMAIN.md.

Only codes whose names are known are seeded; the office imports the full, current nomenclature
in the admin. Running again adds only what is missing and renames nothing.
"""

from django.db import migrations

# Programme names as DOMAIN.md gives them (short forms); the official list replaces them on import.
CODES = [
    ("2.17.01", "Program Penunjang"),
    ("2.17.02", "Program Izin Usaha Simpan Pinjam"),
    ("2.17.03", "Program Pengawasan dan Pemeriksaan Koperasi"),
    ("2.17.04", "Program Penilaian Kesehatan KSP/USP"),
    ("2.17.05", "Program Pendidikan dan Latihan Perkoperasian"),
    ("2.17.06", "Program Pemberdayaan dan Perlindungan Koperasi"),
    ("2.17.07", "Program Pemberdayaan UMKM"),
    ("2.17.08", "Program Pengembangan UMKM"),
    ("2.17.03.2.01.0003", "Penguatan Tata Kelola Kelembagaan Koperasi"),
    ("2.17.05.2.01.0001",
     "Peningkatan Pemahaman dan Pengetahuan Perkoperasian serta Kapasitas SDM Koperasi"),
    ("2.17.06.2.01.0009", "Pemberdayaan Koperasi"),
    ("2.17.07.2.01.0003", "Fasilitasi Kemudahan Perizinan Usaha Mikro"),
    ("2.17.07.2.01.0004", "Pemberdayaan Kelembagaan Potensi dan Pengembangan Usaha Mikro"),
    ("2.17.07.2.01.0015", "Pelatihan SDM UMKM/Kewirausahaan"),
    ("2.17.08.2.01.0002", "Pengembangan Usaha Mikro"),
]


def seed(apps, schema_editor):
    SipdCode = apps.get_model("cooperatives", "SipdCode")
    for code, name in CODES:
        SipdCode.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
