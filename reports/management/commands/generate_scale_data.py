"""Fill a PostgreSQL database with national-size data for benchmarks (`make bench`).

    manage.py load_areas --all
    manage.py generate_scale_data --businesses 1000000 --cases 3000000

The data is spread over every village loaded. The command refuses a database whose tables already
hold data it did not generate (`--force` adds to them anyway), and `--replace` empties what an
earlier run generated before generating again. It runs on PostgreSQL only.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from reports import scale
from villages.models import Village


class Command(BaseCommand):
    help = "Mengisi basis data PostgreSQL dengan data skala nasional untuk uji kecepatan."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = scale.Sizes()
        parser.add_argument("--businesses", type=int, default=defaults.businesses)
        parser.add_argument("--cases", type=int, default=defaults.cases)
        parser.add_argument("--mentors", type=int, default=defaults.mentors)
        parser.add_argument("--visits", type=int, default=defaults.visits)
        parser.add_argument("--cooperatives", type=int, default=defaults.cooperatives)
        parser.add_argument("--activities", type=int, default=defaults.activities)
        parser.add_argument(
            "--villages", type=int, default=0, help="sebar di sekian desa saja (0: semua)"
        )
        parser.add_argument("--seed", type=float, default=defaults.seed, help="-1 … 1")
        parser.add_argument(
            "--force",
            action="store_true",
            help="tambahkan meski basis data sudah berisi data yang tidak dibuat perintah ini",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="jika data skala sudah ada, biarkan (untuk make bench)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="kosongkan dulu data yang dibuat perintah ini sebelumnya",
        )

    def handle(self, *args, force: bool, replace: bool, keep: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale_data hanya untuk PostgreSQL: setel DATABASE_URL ke basis data "
                "PostgreSQL (mis. postgres://postgres@127.0.0.1:5432/karawang_bench)."
            )
        if not Village.objects.exists():
            raise CommandError("Belum ada data desa: jalankan dulu load_areas --all.")
        if not -1 <= options["seed"] <= 1:
            raise CommandError("--seed harus di antara -1 dan 1.")
        sizes = scale.Sizes(**{name: options[name] for name in scale.Sizes.__dataclass_fields__})
        if min(sizes.businesses, sizes.cases, sizes.mentors) < 1 or sizes.villages < 0:
            raise CommandError("Jumlah usaha, kasus dan pendamping harus minimal 1.")

        if scale.has_marker():
            if keep:
                self.stdout.write(f"Data skala sudah ada ({scale.describe()}); dipakai ulang.")
                return
            if not replace:
                raise CommandError(
                    "Basis data ini sudah berisi data skala: tambahkan --replace untuk "
                    "menggantinya."
                )
            if scale.marker_forced():
                raise CommandError(
                    "Data skala di sini dibuat dengan --force di atas data lain; --replace "
                    "akan menghapus data itu juga. Kosongkan basis data secara manual."
                )
            self.stdout.write("Mengosongkan data skala sebelumnya…")
            scale.clear()
        elif (tables := scale.foreign_rows()) and not force:
            raise CommandError(
                "Basis data ini sudah berisi data yang bukan buatan generate_scale_data "
                f"({', '.join(tables)}). Pakai basis data kosong, atau --force untuk "
                "tetap menambahkan."
            )

        began = time.monotonic()
        counts = scale.generate(sizes, forced=force, log=self.log)
        self.stdout.write(
            self.style.SUCCESS(
                f"Selesai dalam {time.monotonic() - began:.0f} s: "
                f"{counts['businesses']:,} usaha, {counts['cases']:,} kasus, "
                f"{counts['events']:,} riwayat kasus, {counts['mentors']:,} Patriot Desa, "
                f"{counts['visits']:,} kunjungan, {counts['cooperatives']:,} koperasi, "
                f"{counts['activities']:,} kegiatan, di {counts['areas']:,} desa."
            )
        )

    def log(self, line: str) -> None:
        self.stdout.write(f"  {line}")
        self.stdout.flush()
