"""The dashboard's tables as one XLSX: a sheet per table, numbers as numbers."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook

from core.exports import neutralise_workbook

from .figures import Figures

SERVICE_HEADER = [
    "Layanan",
    "Dimulai",
    "Berjalan",
    "Diajukan",
    "Selesai",
    "Ditolak/batal",
    "Macet",
    "Target",
    "Capaian (%)",
]


def _service_rows(rows) -> list[list]:
    return [
        [
            row.service.name,
            row.opened,
            row.active,
            row.submitted,
            row.done,
            row.closed,
            row.stalled,
            row.target,
            None if row.achieved is None else round(row.achieved, 1),
        ]
        for row in rows
    ]


def workbook(figures: Figures) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Layanan"
    for line in [SERVICE_HEADER, *_service_rows(figures.services)]:
        sheet.append(line)
    if figures.places:
        places = book.create_sheet("Wilayah")
        places.append(["Wilayah", "Kode", "Dimulai", "Berjalan", "Selesai", "Macet"])
        for row in figures.places:
            places.append(
                [row.place.name, row.place.code, row.opened, row.active, row.done, row.stalled]
            )
    extreme = book.create_sheet("Miskin ekstrem")
    for line in [SERVICE_HEADER, *_service_rows(figures.extreme)]:
        extreme.append(line)
    mentoring = book.create_sheet("Patriot Desa")
    for key, label in (
        ("visits", "Kunjungan"),
        ("villages", "Desa dikunjungi"),
        ("mentors", "Patriot Desa yang berkunjung"),
        ("moves", "Perpindahan tahap/status"),
    ):
        mentoring.append([label, figures.mentoring.get(key, 0)])
    mentoring.append(["Usaha memperoleh NIB/PIRT/halal", figures.legalised])
    cooperatives = book.create_sheet("Koperasi")
    cooperatives.append(
        [
            "Kode SIPD",
            "Sub-kegiatan",
            "Kegiatan",
            "Terlaksana",
            "Peserta L",
            "Peserta P",
            "Pagu (Rp)",
            "Realisasi (Rp)",
            "Serapan (%)",
        ]
    )
    for row in figures.cooperatives:
        cooperatives.append(
            [
                row["sipd__code"],
                row["name"],
                row["count"],
                row["held"],
                row["male"],
                row["female"],
                row["ceiling"] or 0,
                row["realised"] or 0,
                None if row["absorbed"] is None else round(row["absorbed"], 1),
            ]
        )
    return book


def response(figures: Figures) -> HttpResponse:
    out = BytesIO()
    book = workbook(figures)
    neutralise_workbook(book)
    book.save(out)
    name = slugify(f"laporan-{figures.period.code}-{figures.area.label or 'kabupaten'}")
    return HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
