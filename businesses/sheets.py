"""The businesses sheet of the import page: businesses with one featured product per row.

Forgiving where it is safe: village by code or by name within its kecamatan, Rupiah and dates
in the forms people write, gender and sector by their words. Strict where it is not: the NIK,
NIB, PIRT and phone columns refuse number cells and mangled values (BusinessResource), a row
for a village outside the user's area is an error, and probable duplicates are warnings the
user confirms before anything is written.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.sheets import (
    EXAMPLE_MARK,
    build_template,
    parse_choice,
    parse_date,
    parse_rupiah,
    refuse_example,
)
from villages.models import District, Village
from villages.sheets import PlaceFinder

from .models import Business, Gender, Product, Sector
from .resources import BusinessResource
from .validators import may_view_nik

# Template header -> the resource's column (exports use the right-hand names: both import).
COLUMNS = {
    "ID (kosongkan untuk usaha baru)": "id",
    "Nama usaha": "name",
    "Nama pemilik": "owner_name",
    "NIK pemilik": "owner_nik",
    "Jenis kelamin (L/P)": "owner_gender",
    "Nomor HP/WhatsApp": "phone",
    "Alamat": "address",
    "Kecamatan": "kecamatan",
    "Desa/Kelurahan": "desa",
    "Kode desa": "village_code",
    "Sektor": "sector",
    "KBLI": "kbli",
    "Tenaga kerja": "employees",
    "Omzet per bulan (Rp)": "monthly_turnover",
    "NIB": "nib_number",
    "Tanggal NIB": "nib_date",
    "Nomor PIRT": "pirt_number",
    "PIRT berlaku sampai": "pirt_expiry",
    "Nomor sertifikat halal": "halal_number",
    "Tanggal sertifikat halal": "halal_date",
    "Produk unggulan": "product",
    "Harga produk (Rp)": "product_price",
}
EXPLAIN = {
    "id": "Kosongkan untuk usaha baru. Diisi (dari unduhan daftar usaha) untuk mengubah usaha itu.",
    "name": "Wajib.",
    "owner_name": "Wajib.",
    "owner_nik": "16 angka, sebagai teks. Jangan biarkan Excel mengubahnya menjadi angka "
    "(3,21505E+15): kolom ini sudah berformat teks di templat.",
    "owner_gender": "L atau P (Laki-laki/Perempuan).",
    "phone": "Nomor HP Indonesia dalam bentuk apa pun: 0812-3456-7890, +62 812…",
    "kecamatan": "Nama kecamatan; dipakai bersama Desa/Kelurahan bila Kode desa kosong.",
    "desa": "Nama desa atau kelurahan (tanpa/dengan kata 'Desa').",
    "village_code": "Kode Kemendagri, mis. 32.15.10.2001. Boleh kosong bila Kecamatan dan "
    "Desa/Kelurahan diisi.",
    "sector": "Salah satu: " + ", ".join(str(label) for label in Sector.labels),
    "kbli": "5 angka, sebagai teks.",
    "employees": "Jumlah orang, angka.",
    "monthly_turnover": "Rupiah tanpa sen: 1500000 atau Rp 1.500.000.",
    "nib_number": "13 angka, sebagai teks.",
    "nib_date": "Tanggal: 2026-01-31 atau 31/01/2026.",
    "pirt_number": "15 angka (boleh dengan tanda -), sebagai teks.",
    "pirt_expiry": "Tanggal.",
    "halal_number": "Nomor sertifikat halal.",
    "halal_date": "Tanggal.",
    "product": "Satu produk unggulan per baris (boleh kosong).",
    "product_price": "Rupiah tanpa sen.",
}
SYNONYMS = {"pria": "l", "laki laki": "l", "wanita": "p"}
TEXT_COLUMNS = {"owner_nik", "phone", "village_code", "kbli", "nib_number", "pirt_number"}


class BusinessSheetResource(BusinessResource):
    """BusinessResource for the import page, acting for one user with one file.

    Rows are written in bulk, 1,000 at a time, with their history records in bulk too
    (simple-history's bulk helpers name the user and the file): per-row saves made a
    10,000-row sheet take minutes.
    """

    class Meta(BusinessResource.Meta):
        use_bulk = True
        batch_size = 1000
        # The preview shows errors and counts, not per-field diffs: computing them was about
        # a third of the time. Unchanged rows are still told apart (skip_row below).
        skip_diff = True
        instance_loader_class = CachedInstanceLoader

    def __init__(self, user, filename: str = "", **kwargs) -> None:
        super().__init__(user=user, **kwargs)
        self.filename = filename
        self.reason = (_("Impor dari %(file)s") % {"file": filename})[:100]
        self.pending_products: list[tuple[Business, str, int | None]] = []
        self.report_progress = lambda done: None
        self.rows_seen = 0
        self.warnings: list[dict] = []
        villages = Village.objects.editable_by(user).in_home_regency().select_related("district")
        self.editable = {v.code: v for v in villages}
        self.places = PlaceFinder()
        self.seen_niks: dict[str, int] = {}
        self.seen_names: dict[tuple[str, str], int] = {}
        self.existing_niks: dict[str, int] = {}
        self.existing_names: dict[tuple[str, str], int] = {}

    def known_columns(self) -> list[str]:
        return [*super().known_columns(), "kecamatan", "desa", "product", "product_price"]

    def before_import(self, dataset, **kwargs) -> None:
        super().before_import(dataset, **kwargs)
        # One query for the duplicate checks of the whole sheet: the businesses of its villages.
        codes = (
            {str(c).strip() for c in dataset["village_code"] if c}
            if "village_code" in (dataset.headers or [])
            else set()
        )
        named = []
        if "desa" in (dataset.headers or []):
            named = self.places.villages_named(dataset["desa"])
        existing = Business.objects.filter(village__code__in=codes) | Business.objects.filter(
            village__in=named
        )
        for pk, nik, name, code in existing.values_list("pk", "owner_nik", "name", "village__code"):
            if nik:
                self.existing_niks[nik] = pk
            self.existing_names[(name.casefold(), code)] = pk
        # Rows that name an existing business by id: which of them the user may change.
        ids = [
            int(i)
            for i in (dataset["id"] if "id" in (dataset.headers or []) else [])
            if str(i or "").strip().isdigit()
        ]
        self.editable_ids = set(
            Business.objects.editable_by(self.user).filter(pk__in=ids).values_list("pk", flat=True)
        )

    def before_import_row(self, row, **kwargs) -> None:
        super().before_import_row(row, **kwargs)
        number = kwargs.get("row_number")
        refuse_example(row, number)
        self.rows_seen += 1
        self.report_progress(self.rows_seen)
        # Every problem of the row at once, so one round of fixing is enough.
        problems = []

        def check(step):
            try:
                step()
            except ValueError as error:
                problems.append(str(error))

        check(lambda: self._place(row, number))
        for column, parse in (
            ("monthly_turnover", parse_rupiah),
            ("product_price", parse_rupiah),
            ("nib_date", parse_date),
            ("pirt_expiry", parse_date),
            ("halal_date", parse_date),
        ):
            if column in row:
                check(lambda column=column, parse=parse: self._parse(row, number, column, parse))
        check(
            lambda: row.update(
                owner_gender=self._choice(row.get("owner_gender"), Gender, number, "owner_gender")
            )
        )
        check(lambda: row.update(sector=self._choice(row.get("sector"), Sector, number, "sector")))
        if problems:
            raise ValueError(" ".join(problems))
        self._duplicates(row, number)

    def _place(self, row, number) -> None:
        code = self._village_code(row, number)
        if code not in self.editable:
            raise ValueError(
                _("Baris %(row)s, kolom %(column)s: ") % {"row": number, "column": "Desa/Kelurahan"}
                + _("desa %(code)s bukan desa yang boleh Anda ubah; baris ini tidak diimpor.")
                % {"code": code}
            )
        row["village_code"] = code

    def _parse(self, row, number, column, parse) -> None:
        try:
            row[column] = parse(row[column])
        except ValueError as error:
            raise ValueError(
                _("Baris %(row)s, kolom %(column)s: ") % {"row": number, "column": column}
                + str(error)
            ) from None

    def _village_code(self, row, number) -> str:
        code = str(row.get("village_code") or "").strip()
        if code:
            return code
        village = row.get("desa")
        where = _("Baris %(row)s, kolom Desa/Kelurahan: ") % {"row": number}
        if not village:
            raise ValueError(where + _("isi Kode desa, atau Kecamatan dan Desa/Kelurahan."))
        try:
            return self.places.village(row.get("kecamatan"), village).code
        except ValueError as error:
            raise ValueError(where + str(error)) from None

    def _choice(self, value, choices, number, column):
        try:
            return parse_choice(value, choices, SYNONYMS)
        except ValueError as error:
            raise ValueError(
                _("Baris %(row)s, kolom %(column)s: ") % {"row": number, "column": column}
                + str(error)
            ) from None

    def _duplicates(self, row, number) -> None:
        pk = str(row.get("id") or "").strip()
        pk = int(pk) if pk.isdigit() else None
        nik = str(row.get("owner_nik") or "").replace(" ", "").replace(".", "").replace("-", "")
        name = (str(row.get("name") or "").strip().casefold(), row["village_code"])
        reasons = []
        if nik and nik.isdigit():
            other = self.existing_niks.get(nik)
            earlier = self.seen_niks.get(nik)
            if earlier:
                reasons.append(_("NIK yang sama dengan baris %(row)s") % {"row": earlier})
            elif other and other != pk:
                shown = nik if may_view_nik(self.user) else _("(NIK sama)")
                reasons.append(_("NIK %(nik)s sudah terdaftar untuk usaha lain") % {"nik": shown})
            self.seen_niks.setdefault(nik, number)
        if name[0]:
            other = self.existing_names.get(name)
            earlier = self.seen_names.get(name)
            if earlier:
                reasons.append(_("nama dan desa sama dengan baris %(row)s") % {"row": earlier})
            elif other and other != pk:
                reasons.append(_("sudah ada usaha dengan nama ini di desa yang sama"))
            self.seen_names.setdefault(name, number)
        if reasons:
            self.warnings.append(
                {"row": number, "name": row.get("name") or "", "message": "; ".join(reasons)}
            )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "village":
            # Resolved in before_import_row from the user's own villages: no query per row.
            instance.village = self.editable[row["village_code"]]
            return
        return super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The village comes from the user's own list, so full_clean need not look it up again.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "village"], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs) -> None:
        number = kwargs.get("row_number")
        if instance.pk:
            if instance.pk not in self.editable_ids:
                raise ValueError(
                    _("Baris %(row)s, kolom id: usaha %(id)s tidak ada di wilayah Anda.")
                    % {"row": number, "id": instance.pk}
                )
            version = str(row.get("version") or "").strip()
            if version.isdigit() and int(version) != instance.version:
                raise ValueError(
                    _(
                        "Baris %(row)s: usaha %(name)s sudah diubah orang lain sejak lembar kerja "
                        "ini diunduh. Unduh lagi daftarnya, lalu ulangi perubahan Anda."
                    )
                    % {"row": number, "name": instance.name}
                )
            # What is stored now, to tell an unchanged row (skip_row).
            instance._stored = {f: getattr(instance, f) for f in self._compared_fields()}
        super().import_instance(instance, row, **kwargs)

    def _compared_fields(self) -> list[str]:
        return [
            "village_id" if f.attribute == "village" else f.attribute
            for f in self.get_import_fields()
            if f.attribute and f.attribute != "id"
        ]

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        stored = getattr(instance, "_stored", None)
        if import_validation_errors or stored is None:
            return False
        return all(getattr(instance, f) == value for f, value in stored.items())

    def before_save_instance(self, instance, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk:
            instance.version += 1  # an open edit form of this business is now stale
            instance.updated_at = timezone.now()
        else:
            instance.created_by = self.user

    def get_bulk_update_fields(self) -> list[str]:
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

    def _flush(self, instances: list, write, writes: bool, result, raise_errors) -> None:
        """Write one batch with its history records, or (a preview) just forget it."""
        try:
            if instances and writes:
                write(instances, default_user=self.user, default_change_reason=self.reason)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            instances.clear()

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._flush(
            self.create_instances,
            partial(bulk_create_with_history, model=Business, batch_size=batch_size),
            using_transactions or not dry_run,
            result,
            raise_errors,
        )

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._flush(
            self.update_instances,
            partial(
                bulk_update_with_history,
                model=Business,
                fields=self.get_bulk_update_fields(),
                batch_size=batch_size,
            ),
            using_transactions or not dry_run,
            result,
            raise_errors,
        )

    def after_save_instance(self, instance, row, **kwargs) -> None:
        super().after_save_instance(instance, row, **kwargs)
        name = str(row.get("product") or "").strip()
        if name and not kwargs.get("dry_run"):
            # The business has no id until its batch is written: products come after.
            self.pending_products.append((instance, name, row.get("product_price")))

    def after_import(self, dataset, result, **kwargs) -> None:
        super().after_import(dataset, result, **kwargs)
        for business, name, price in self.pending_products:
            product, created = Product.objects.get_or_create(
                business=business, name=name, defaults={"price": price}
            )
            if not created and price is not None and product.price != price:
                product.price = price
                product._history_user = self.user
                product.save()


def template(user) -> bytes:
    """The XLSX template of this sheet (core.sheets.build_template)."""
    return build_template(
        title="Usaha",
        columns=COLUMNS,
        explain=EXPLAIN,
        text_columns=TEXT_COLUMNS,
        lists={
            "owner_gender": ["L", "P"],
            "sector": list(Sector.labels),
            "kecamatan": list(
                District.objects.in_home_regency().order_by("name").values_list("name", flat=True)
            ),
        },
        example={
            "name": EXAMPLE_MARK + "Keripik Singkong Bu Iis",
            "owner_name": "Iis Suryani",
            "owner_nik": "3215014107850002",
            "owner_gender": "P",
            "phone": "0812-3456-7890",
            "address": "Kp. Krajan RT 01/RW 02",
            "kecamatan": "Pedes",
            "desa": "Payungsari",
            "sector": str(Sector.FOOD.label),
            "employees": 2,
            "monthly_turnover": "Rp 1.500.000",
            "product": "Keripik singkong balado",
            "product_price": 15000,
        },
    )
