"""Make a progress report PDF from the command line (schedules, scripts):

manage.py report --period 2026 --output laporan-2026.pdf
manage.py report --period 2026-Q3 --kecamatan 32.15.10 --output pedes-q3.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import figures, pdf
from reports.models import Signer
from villages.access import SYSTEM
from villages.models import District, Village


class Command(BaseCommand):
    help = "Membuat laporan perkembangan (PDF) untuk satu periode dan wilayah."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, help="2026, 2026-Q3, 2026-11, or a..b")
        parser.add_argument("--kecamatan", help="kode kecamatan, mis. 32.15.10")
        parser.add_argument("--desa", help="kode desa, mis. 32.15.10.2001")
        parser.add_argument("--output", required=True, help="berkas PDF yang ditulis")

    def handle(self, *args, period: str, kecamatan: str, desa: str, output: str, **options):
        try:
            chosen = figures.parse_period(period)
        except figures.PeriodError as error:
            raise CommandError(str(error)) from None
        area = figures.Area()
        if desa:
            village = Village.objects.in_home_regency().filter(code=desa).first()
            if village is None:
                raise CommandError(f"Desa dengan kode {desa!r} tidak ada di wilayah ini.")
            area = figures.Area(district=village.district, village=village)
        elif kecamatan:
            district = District.objects.in_home_regency().filter(code=kecamatan).first()
            if district is None:
                raise CommandError(f"Kecamatan dengan kode {kecamatan!r} tidak ada di wilayah ini.")
            area = figures.Area(district=district)
        result = figures.compute(SYSTEM, chosen, area, full=True)
        data, pages = pdf.render_pdf(result, signer=Signer.objects.first())
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {pages} halaman, {len(data):,} byte".replace(",", "."))
