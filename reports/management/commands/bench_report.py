"""Speed and memory of the reports, printed (not asserted): the dashboard and the yearly regency
PDF on the data as it is, then after multiplying the businesses and cases (`--scale`).

    make bench-report      # a throwaway SQLite database with the demo data, then 10x
"""

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.utils import timezone

from assistance.models import Case
from businesses.models import Business
from core.benchmarks import refuse_unless_bench_database


class Command(BaseCommand):
    help = "Mengukur dasbor dan PDF laporan tahunan kabupaten (detik, memori puncak)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=int, default=10, help="kelipatan data kedua")
        parser.add_argument("--user", default="dinkop", help="akun staf untuk dasbor")

    def handle(self, *args, scale: int, user: str, **options) -> None:
        refuse_unless_bench_database()
        year = str(timezone.localdate().year)
        self.measure("demo", year, user)
        if scale > 1:
            self.multiply(scale)
            self.measure(f"{scale}x demo", year, user)

    def median_ms(self, client: Client, url: str, query: dict) -> float:
        """Median of five GETs after a warm-up."""
        timings = []
        for _ in range(6):
            start = time.perf_counter()
            response = client.get(url, query, HTTP_HOST="127.0.0.1")
            timings.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
        return 1000 * statistics.median(timings[1:])

    def measure(self, label: str, year: str, username: str) -> None:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        dashboard_ms = self.median_ms(client, "/laporan/", {"periode": year})
        # For comparison: Django's admin listing the same cases (the done ones).
        admin = Client()
        admin.force_login(get_user_model().objects.filter(is_superuser=True).first())
        admin_ms = self.median_ms(admin, "/admin/assistance/case/", {"status__exact": "done"})
        output = Path(tempfile.gettempdir()) / "bench-report.pdf"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "report",
                "--period",
                year,
                "--output",
                str(output),
            ],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        self.stdout.write(
            f"{label}: {Business.objects.count():,} usaha, {Case.objects.count():,} kasus | "
            f"dasbor kabupaten {dashboard_ms:.0f} ms (median 5; admin daftar kasus "
            f"{admin_ms:.0f} ms) | "
            f"PDF tahunan kabupaten {seconds:.2f} s, memori puncak proses {peak_mb:.0f} MB, "
            f"{output.stat().st_size:,} byte"
        )

    @transaction.atomic
    def multiply(self, scale: int) -> None:
        """Copies of every business with its cases, (scale - 1) times."""
        businesses = list(Business.objects.all())
        cases = list(Case.objects.all())
        for n in range(1, scale):
            copies = []
            for business in businesses:
                copy = Business(
                    name=f"{business.name} #{n}",
                    owner_name=business.owner_name,
                    owner_gender=business.owner_gender,
                    sector=business.sector,
                    village_id=business.village_id,
                )
                copies.append(copy)
            Business.objects.bulk_create(copies, batch_size=1000)
            twin = {old.pk: new.pk for old, new in zip(businesses, copies, strict=True)}
            Case.objects.bulk_create(
                [
                    Case(
                        business_id=twin[case.business_id],
                        service_id=case.service_id,
                        mentor_id=case.mentor_id,
                        status=case.status,
                        step_id=case.step_id,
                        opened_on=case.opened_on,
                        submitted_on=case.submitted_on,
                        closed_on=case.closed_on,
                        last_activity_at=case.last_activity_at,
                    )
                    for case in cases
                ],
                batch_size=1000,
            )
