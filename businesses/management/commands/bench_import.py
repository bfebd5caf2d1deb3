"""Time and peak memory of checking and importing a clean sheet of businesses, printed:

    DATABASE_URL=postgres://…/karawang_bench manage.py bench_import --rows 10000

Runs the same two steps as the import page (core.sheet_imports), history included, then
deletes what it imported.
"""

import io
import resource
import time

import openpyxl
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import connection

from businesses.models import Business
from core.benchmarks import refuse_unless_bench_database
from core.models import ImportJob
from core.sheet_imports import run_import, validate
from villages.models import Village


class Command(BaseCommand):
    help = "Mengukur impor usaha dari spreadsheet (detik, memori puncak)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--user", default="dinkop")

    def handle(self, *args, rows: int, user: str, **options) -> None:
        refuse_unless_bench_database()
        person = get_user_model().objects.get(username=user)
        codes = list(
            Village.objects.editable_by(person).in_home_regency().values_list("code", flat=True)
        )
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(
            [
                "Nama usaha",
                "Nama pemilik",
                "Jenis kelamin (L/P)",
                "Kode desa",
                "Sektor",
                "Omzet per bulan (Rp)",
                "Nomor HP/WhatsApp",
            ]
        )
        for i in range(rows):
            sheet.append(
                [
                    f"Usaha Uji {i}",
                    f"Pemilik {i}",
                    "LP"[i % 2],
                    codes[i % len(codes)],
                    "makanan",
                    1_000_000 + i,
                    f"0812{i:08d}",
                ]
            )
        out = io.BytesIO()
        book.save(out)
        job = ImportJob(kind="usaha", filename="bench.xlsx", uploaded_by=person)
        job.file.save("bench.xlsx", ContentFile(out.getvalue()), save=False)
        job.save()
        before = Business.objects.count()
        start = time.perf_counter()
        validate(job)
        checked = time.perf_counter()
        if job.errors:
            self.stderr.write(f"Pemeriksaan menemukan kesalahan: {job.errors[:3]}")
            return
        run_import(job)
        done = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        added = Business.objects.count() - before
        history = Business.history.filter(name__startswith="Usaha Uji ").count()
        self.stdout.write(
            f"{rows:,} baris ({connection.vendor}): periksa {checked - start:.1f} s, "
            f"impor {done - checked:.1f} s, seluruhnya {done - start:.1f} s; "
            f"memori puncak {peak:.0f} MB; {added:,} usaha baru, {history:,} catatan riwayat"
        )
        Business.objects.filter(name__startswith="Usaha Uji ").delete()
        Business.history.filter(name__startswith="Usaha Uji ").delete()
        job.file.delete(save=False)
        job.delete()
