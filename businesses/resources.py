"""Spreadsheet import and export of businesses (the admin's and the list's)."""

from django.utils.translation import gettext
from import_export import fields
from import_export.widgets import ForeignKeyWidget

from core.imports import AllOrNothingResource, IdentifierField
from core.validators import normalize_phone
from villages.models import Village

from .models import WORKER_FIELDS, Business, NikAccess
from .validators import clean_nik, mask_nik, may_view_nik, validate_kbli


def _kbli(value: str) -> str:
    validate_kbli(value)
    return value


class BusinessResource(AllOrNothingResource):
    """Spreadsheet import/export of businesses; the NIK is exported masked unless permitted.

    Every row is validated like the form (NIK structure, phone, KBLI); identifier columns refuse
    number cells; the import runs in one transaction, so a sheet with a bad row writes nothing
    and the admin lists each bad row. A user who may not see whole NIKs may not write them
    either: their NIK column must be empty or hold the stored NIK's masked form.
    `user=None` is code acting on its own (a command, a test): it may write NIKs, and its
    exports are masked.
    """

    village = IdentifierField(
        "village", "village_code", ForeignKeyWidget(Village, "code"), separators="."
    )
    owner_nik = IdentifierField("owner_nik", "owner_nik", separators=" .-", check=clean_nik)
    phone = IdentifierField("phone", "phone", separators=" +-.()/", check=normalize_phone)
    kbli = IdentifierField("kbli", "kbli", check=_kbli)
    nib_number = IdentifierField("nib_number", "nib_number")
    pirt_number = IdentifierField("pirt_number", "pirt_number", separators="-")
    # Certificate numbers carry letters (ID3211...): only number cells are refused.
    halal_number = IdentifierField("halal_number", "halal_number", separators=None)
    owner_village = IdentifierField(
        "owner_village", "owner_village_code", ForeignKeyWidget(Village, "code"), separators="."
    )
    # Leading zeros are part of RT/RW ("003"): number cells are refused.
    owner_rt = IdentifierField("owner_rt", "owner_rt", separators=None)
    owner_rw = IdentifierField("owner_rw", "owner_rw", separators=None)
    rt = IdentifierField("rt", "rt", separators=None)
    rw = IdentifierField("rw", "rw", separators=None)
    sidt_id = IdentifierField("sidt_id", "sidt_id", separators=None)
    # Exported so that a sheet sent back can be checked against later edits; never imported.
    version = fields.Field("version", "version", readonly=True)
    scale = fields.Field("scale", "scale", readonly=True)

    class Meta:
        model = Business
        fields = (
            "id",
            "name",
            "owner_name",
            "owner_nik",
            "owner_gender",
            "phone",
            "address",
            "village",
            "sector",
            "kbli",
            "employees",
            "monthly_turnover",
            "nib_number",
            "nib_date",
            "pirt_number",
            "pirt_expiry",
            "halal_number",
            "halal_date",
            # The SIDT fields (the owner's date of birth is left to the SIDT import and export,
            # which apply the NIK rule to it).
            "sidt_id",
            "owner_disability",
            "owner_education",
            "owner_address",
            "owner_rt",
            "owner_rw",
            "owner_village",
            "rt",
            "rw",
            "latitude",
            "longitude",
            "main_activity",
            "main_product",
            "kbli_category",
            "legal_status",
            "founding_capital",
            "assets",
            "annual_turnover",
            "start_month",
            "start_year",
            *WORKER_FIELDS,
            "scale_reported",
            "scale",
            "version",
        )
        clean_model_instances = True
        skip_unchanged = True

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user
        # Exports and the import preview (both through Field.export) show what the user may see.
        if not may_view_nik(user):
            self.fields["owner_nik"].mask = mask_nik
        self.nik_shown: list[int] = []

    def before_save_instance(self, instance, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        # Bulk writes skip Business.save(); "scale", a field here, is among their columns.
        instance.scale = instance.computed_scale()

    def export_resource(self, instance, selected_fields=None, **kwargs):
        if instance.owner_nik and (not selected_fields or "owner_nik" in selected_fields):
            self.nik_shown.append(instance.pk)
        return super().export_resource(instance, selected_fields, **kwargs)

    def after_export(self, queryset, dataset, **kwargs) -> None:
        """Every whole NIK in the file is an access (UU 27/2022): one row per business, written
        in batches of 1,000 (a regency's few thousand rows cost a few inserts)."""
        super().after_export(queryset, dataset, **kwargs)
        NikAccess.record_ids(self.user, NikAccess.Where.EXPORT, self.nik_shown)
        self.nik_shown = []

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "owner_nik" and self.user is not None and not may_view_nik(self.user):
            value = row.get(field.column_name)
            if value in (None, "") or value == mask_nik(instance.owner_nik):
                return  # the stored NIK stays
            raise ValueError(
                gettext(
                    "Baris %(row)s, kolom %(column)s: Anda tidak berhak mengisi atau mengubah "
                    "NIK. Kosongkan kolom itu."
                )
                % {"row": kwargs.get("row_number"), "column": field.column_name}
            )
        return super().import_field(field, instance, row, is_m2m, **kwargs)
