"""Seed the five facilitation services and their steps (DOMAIN.md). Administrators edit them later;
running this again only adds what is missing."""

from django.db import migrations

SERVICES = [
    ("nib", "NIB (OSS RBA)", True, [
        "Akun OSS dibuat",
        "Data usaha dan KBLI dipilih",
        "NIB terbit (catat nomor dan tanggal)",
    ]),
    ("halal", "Sertifikat halal (self-declare)", True, [
        "NIB dengan KBLI yang sesuai",
        "Akun SIHALAL, profil dan penyelia halal",
        "Pengajuan self-declare dan memilih Pendamping PPH",
        "Bahan, produk dan proses diisi bersama pendamping",
        "Verifikasi lapangan oleh Pendamping PPH",
        "Review oleh LP3H",
        "STTD terbit dari BPJPH",
        "Sidang Komite Fatwa",
        "Sertifikat halal terbit",
    ]),
    ("pirt", "PIRT / SPP-IRT", True, [
        "NIB dengan KBLI pangan",
        "Pengajuan SPP-IRT melalui OSS",
        "Pemeriksaan data dan label oleh Dinkes",
        "Penyuluhan Keamanan Pangan (PKP, nilai lulus 60)",
        "Pemeriksaan sarana produksi",
        "SPP-IRT terbit (catat nomor dan masa berlaku)",
    ]),
    ("kemasan", "Perbaikan kemasan", False, [
        "Seleksi produk",
        "Desain label dan kemasan",
        "Pemilihan bahan kemasan",
        "Pencetakan (Rumah Kemasan)",
        "Kemasan diserahkan",
    ]),
    ("pemasaran", "Pemasaran", False, [
        "Pemetaan pasar dan produk",
        "Foto dan katalog produk",
        "Pendaftaran marketplace / media sosial",
        "Bazar, pameran, atau etalase OVOP",
        "Evaluasi penjualan",
    ]),
]


def seed(apps, schema_editor):
    Service = apps.get_model("assistance", "Service")
    Step = apps.get_model("assistance", "Step")
    for order, (code, name, outcome_required, steps) in enumerate(SERVICES, start=1):
        service, _ = Service.objects.get_or_create(
            code=code,
            defaults={"name": name, "order": order, "outcome_required": outcome_required},
        )
        for step_order, step_name in enumerate(steps, start=1):
            Step.objects.get_or_create(
                service=service, order=step_order, defaults={"name": step_name}
            )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
