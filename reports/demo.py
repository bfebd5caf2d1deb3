"""Demo targets and a demo signer, so that the dashboard and the PDF show achievement and a
signature block (the names are invented)."""

from collections.abc import Callable

from django.utils import timezone

from assistance.models import Service
from villages.models import District

from .models import ServiceTarget, Signer, YearTarget

# Cases to complete per service in the demo year, for the regency.
REGENCY_TARGETS = {"nib": 60, "halal": 20, "pirt": 20, "kemasan": 15, "pemasaran": 15}


def seed(write: Callable[[str], None]) -> None:
    year = timezone.localdate().year
    target, created = YearTarget.objects.get_or_create(
        year=year,
        defaults={
            "villages_mentored": 12,
            "visits_per_mentor_month": 4,
            "cooperative_activities": 20,
            "cooperative_participants": 600,
            "budget_absorption": 90,
        },
    )
    if created:
        services = {s.code: s for s in Service.objects.all()}
        for code, cases in REGENCY_TARGETS.items():
            if code in services:
                ServiceTarget.objects.create(
                    year_target=target, service=services[code], cases_done=cases
                )
        pedes = District.objects.filter(code="32.15.10").first()
        if pedes and "nib" in services:
            ServiceTarget.objects.create(
                year_target=target, service=services["nib"], district=pedes, cases_done=15
            )
    if not Signer.objects.exists():
        Signer.objects.create(
            position="Kepala Dinas Koperasi dan Usaha Kecil Menengah Kabupaten Karawang",
            name="Drs. Contoh Nama Pejabat, M.Si.",
            rank="Pembina Utama Muda, IV/c",
            nip="197001011995031001",
            is_default=True,
        )
    write(f"Target demo {year}: {'baru' if created else 'sudah ada'}; penanda tangan demo.")
