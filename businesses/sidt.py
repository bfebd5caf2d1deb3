"""The national single KUMKM database (SIDT, Permenkop UKM 7/2023): its 49 exchange columns,
in their order, and where each lives on `Business`.

The one place that maps SIDT onto the registry: the SIDT import and export read it. A column maps
to a model field, or to None when the registry does not keep it (the survey's photo link and the
extract's own bookkeeping). The four area columns of the owner and of the business hold names or
codes; all four name one village, so each maps to that village's foreign key (`owner_village`,
`village`) and `AREA_LEVELS` says which level of it the column holds.

The export writes the area columns as names (unique within a kecamatan, so they import back).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("id_data_badan_usaha", "sidt_id"),
    ("nik_pengusaha", "owner_nik"),
    ("nama_pengusaha", "owner_name"),
    ("nib", "nib_number"),
    ("jenis_kelamin", "owner_gender"),
    ("is_disabilitas", "owner_disability"),
    ("tanggal_lahir", "owner_birth_date"),
    ("pendidikan_formal", "owner_education"),
    ("kontak_hp", "phone"),
    ("prov_pengusaha", "owner_village"),
    ("kab_pengusaha", "owner_village"),
    ("kec_pengusaha", "owner_village"),
    ("kel_pengusaha", "owner_village"),
    ("alamat_pengusaha", "owner_address"),
    ("rt_pengusaha", "owner_rt"),
    ("rw_pengusaha", "owner_rw"),
    ("nama_usaha", "name"),
    ("kegiatan_utama", "main_activity"),
    ("produk_utama", "main_product"),
    ("kategori_kbli", "kbli_category"),
    ("kode_kbli", "kbli"),
    ("status_badan_usaha", "legal_status"),
    ("skala_usaha", "scale_reported"),
    ("modal_pendirian", "founding_capital"),
    ("bulan_mulai_operasi", "start_month"),
    ("tahun_mulai_operasi", "start_year"),
    ("omzet_tahunan", "annual_turnover"),
    ("asset", "assets"),
    ("prov_usaha", "village"),
    ("kab_usaha", "village"),
    ("kec_usaha", "village"),
    ("kel_usaha", "village"),
    ("alamat_usaha", "address"),
    ("rt_usaha", "rt"),
    ("rw_usaha", "rw"),
    ("foto_usaha", None),
    ("alamat_latitude", "latitude"),
    ("alamat_longitude", "longitude"),
    ("tk_dibayar_laki", "workers_paid_men"),
    ("tk_dibayar_perempuan", "workers_paid_women"),
    ("tk_dibayar_disabil_laki", "workers_paid_disabled_men"),
    ("tk_dibayar_disabil_perempuan", "workers_paid_disabled_women"),
    ("tk_not_dibayar_laki", "workers_unpaid_men"),
    ("tk_not_dibayar_perempuan", "workers_unpaid_women"),
    ("tk_not_dibayar_disabil_laki", "workers_unpaid_disabled_men"),
    # Cut at 31 characters in the source, and so here.
    ("tk_not_dibayar_disabil_perempua", "workers_unpaid_disabled_women"),
    ("pulled_at", None),
    ("updated_at", None),
    ("source_page", None),
)

COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _field in COLUMNS)
FIELD_OF: dict[str, str | None] = dict(COLUMNS)

# The area columns: which level of the village (province, regency, kecamatan, village) each holds.
AREA_LEVELS: dict[str, str] = {
    "prov_pengusaha": "province",
    "kab_pengusaha": "regency",
    "kec_pengusaha": "district",
    "kel_pengusaha": "village",
    "prov_usaha": "province",
    "kab_usaha": "regency",
    "kec_usaha": "district",
    "kel_usaha": "village",
}

# The export ---------------------------------------------------------------------------------

EXPORT_RELATED = (
    "village__district__regency__province",
    "owner_village__district__regency__province",
)
AREA_PATHS = {
    "province": ("district", "regency", "province"),
    "regency": ("district", "regency"),
    "district": ("district",),
    "village": (),
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _area_name(village, level: str) -> str:
    place = village
    for step in AREA_PATHS[level]:
        place = getattr(place, step) if place is not None else None
    return place.name if place is not None else ""


def _plain(value):
    """A cell: numbers stay numbers (coordinates as floats), booleans as 1/0, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def export_row(business, *, nik: Callable[[str], str], pulled_at: datetime) -> list:
    """One business in SIDT's 49 columns, in their order. `nik` shows (or masks) the NIK."""
    row = []
    for column, name in COLUMNS:
        if column in AREA_LEVELS:
            village = getattr(business, name)
            row.append(_area_name(village, AREA_LEVELS[column]) if village else "")
        elif name == "owner_nik":
            row.append(nik(business.owner_nik))
        elif name == "scale_reported":
            row.append(business.scale_reported or business.scale)
        elif column == "pulled_at":
            row.append(timezone.localtime(pulled_at).strftime(TIME_FORMAT))
        elif column == "updated_at":
            row.append(timezone.localtime(business.updated_at).strftime(TIME_FORMAT))
        elif name is None:
            row.append("")
        else:
            row.append(_plain(getattr(business, name)))
    return row
