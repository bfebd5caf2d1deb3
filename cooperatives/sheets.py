"""The cooperatives sheet of the import page (the registry the province sends as XLSX).

Kecamatan and desa by code or by name; type, health rating, dates and yes/no in the forms people
write; the registry number and phone strict (CooperativeResource). Staff only.
"""

from django.utils.translation import gettext as _

from core.sheets import (
    EXAMPLE_MARK,
    build_template,
    parse_choice,
    parse_date,
    parse_yes_no,
    refuse_example,
)
from villages.models import District
from villages.sheets import PlaceFinder

from .models import CooperativeType, HealthRating
from .resources import CooperativeResource

COLUMNS = {
    "ID (kosongkan untuk koperasi baru)": "id",
    "Nama koperasi": "name",
    "Nomor Induk Koperasi": "registry_number",
    "Nomor badan hukum": "legal_entity_number",
    "Tanggal badan hukum": "legal_entity_date",
    "Jenis koperasi": "type",
    "Kecamatan": "kecamatan",
    "Kode kecamatan": "kecamatan_code",
    "Desa/Kelurahan": "desa",
    "Kode desa": "desa_code",
    "Alamat": "address",
    "Nama ketua": "chair_name",
    "Nomor HP kontak": "contact_phone",
    "Anggota laki-laki": "members_male",
    "Anggota perempuan": "members_female",
    "Aktif (ya/tidak)": "is_active",
    "Tahun RAT terakhir": "last_rat_year",
    "Tanggal RAT terakhir": "last_rat_date",
    "Predikat kesehatan": "health_rating",
}
EXPLAIN = {
    "id": "Kosongkan untuk koperasi baru; diisi untuk mengubah koperasi yang sudah ada.",
    "name": "Wajib.",
    "registry_number": "Nomor Induk Koperasi (16 angka), sebagai teks.",
    "type": "Salah satu: " + ", ".join(str(label) for label in CooperativeType.labels),
    "kecamatan": "Nama kecamatan (atau isi Kode kecamatan).",
    "desa": "Nama desa/kelurahan di kecamatan itu (boleh kosong).",
    "contact_phone": "Nomor HP Indonesia dalam bentuk apa pun.",
    "is_active": "ya atau tidak.",
    "last_rat_date": "Tanggal: 2026-03-31 atau 31/03/2026.",
    "health_rating": "Salah satu: " + ", ".join(str(label) for label in HealthRating.labels),
}
TEXT_COLUMNS = {"registry_number", "kecamatan_code", "desa_code", "contact_phone"}


class CooperativeSheetResource(CooperativeResource):
    def __init__(self, user, filename: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.reason = (_("Impor dari %(file)s") % {"file": filename})[:100]
        self.places = PlaceFinder()
        self.editable_districts = set(
            District.objects.editable_by(user).values_list("code", flat=True)
        )

    def known_columns(self) -> list[str]:
        return [*super().known_columns(), "kecamatan", "desa"]

    def before_import_row(self, row, **kwargs) -> None:
        super().before_import_row(row, **kwargs)
        refuse_example(row, kwargs.get("row_number"))
        number = kwargs.get("row_number")

        def fail(column: str, error: Exception):
            raise ValueError(
                _("Baris %(row)s, kolom %(column)s: ") % {"row": number, "column": column}
                + str(error)
            ) from None

        try:
            if not str(row.get("kecamatan_code") or "").strip() and row.get("kecamatan"):
                row["kecamatan_code"] = self.places.district(row["kecamatan"]).code
        except ValueError as error:
            fail("Kecamatan", error)
        try:
            if not str(row.get("desa_code") or "").strip() and row.get("desa"):
                row["desa_code"] = self.places.village(row.get("kecamatan"), row["desa"]).code
        except ValueError as error:
            fail("Desa/Kelurahan", error)
        for column, parse in (
            ("type", lambda v: parse_choice(v, CooperativeType)),
            ("health_rating", lambda v: parse_choice(v, HealthRating)),
            ("legal_entity_date", parse_date),
            ("last_rat_date", parse_date),
            ("is_active", parse_yes_no),
        ):
            if column in row:
                try:
                    row[column] = parse(row[column])
                except ValueError as error:
                    fail(column, error)
        if row.get("is_active") is None and "is_active" in row:
            row["is_active"] = True
        code = str(row.get("kecamatan_code") or "").strip()
        if code and code not in self.editable_districts:
            fail(
                "Kecamatan",
                ValueError(_("kecamatan %(code)s di luar wilayah Anda.") % {"code": code}),
            )

    def before_save_instance(self, instance, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        instance._history_user = self.user
        instance._change_reason = self.reason
        if instance.pk:
            instance.version += 1  # an open edit form of this cooperative is now stale


def template(user) -> bytes:
    return build_template(
        title="Koperasi",
        columns=COLUMNS,
        explain=EXPLAIN,
        text_columns=TEXT_COLUMNS,
        lists={
            "type": list(CooperativeType.labels),
            "health_rating": list(HealthRating.labels),
            "is_active": ["ya", "tidak"],
            "kecamatan": list(
                District.objects.in_home_regency().order_by("name").values_list("name", flat=True)
            ),
        },
        example={
            "name": EXAMPLE_MARK + "Koperasi Produsen Mekar Sari",
            "type": str(CooperativeType.PRODUCER.label),
            "kecamatan": "Pedes",
            "desa": "Payungsari",
            "chair_name": "Hj. Euis",
            "contact_phone": "0812-1111-2222",
            "members_male": 20,
            "members_female": 35,
            "is_active": "ya",
            "last_rat_year": 2025,
            "last_rat_date": "2025-03-15",
        },
    )
