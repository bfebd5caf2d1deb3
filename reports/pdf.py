"""The printed progress report: the dashboard's figures laid out for A4 by WeasyPrint.

Rendered by the worker (reports.tasks), never in a web request. Plain block and table layout
in hand-written print CSS, one shipped font family (reports/fonts, DejaVu Sans)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from villages.models import home_regency_name

from . import charts
from .figures import Figures, indonesian_date

FONTS = Path(__file__).resolve().parent / "fonts"


def office_name() -> str:
    return settings.OFFICE_NAME or f"Dinas Koperasi dan UKM {home_regency_name()}"


def render_html(figures: Figures, *, signer=None, made_at=None) -> str:
    made_at = timezone.localtime(made_at or timezone.now())
    with translation.override("id"):
        return render_to_string(
            "reports/pdf.html",
            {
                "figures": figures,
                "total": figures.total,
                "chart": charts.target_bars(figures.services),
                "funnel_chart": charts.value_bars(figures.funnel),
                "monthly_chart": charts.value_bars(figures.monthly),
                "regency_name": home_regency_name(),
                "office_name": office_name(),
                "made_at": f"{indonesian_date(made_at.date())} pukul {made_at:%H.%M} WIB",
                "signed_on": indonesian_date(made_at.date()),
                "signer": signer,
                "fonts": FONTS.as_uri(),
            },
        )


def render_pdf(figures: Figures, *, signer=None, made_at=None) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    from weasyprint import HTML  # imported here: only the worker and the command need it

    html = render_html(figures, signer=signer, made_at=made_at)
    document = HTML(string=html, base_url=str(FONTS)).render()
    return document.write_pdf(), len(document.pages)
