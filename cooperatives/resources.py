"""Spreadsheet import and export of cooperatives and SIPD codes (the admin's and the import
page's)."""

from import_export.widgets import ForeignKeyWidget

from core.imports import AllOrNothingResource, IdentifierField
from core.validators import normalize_phone
from villages.models import District, Village

from .models import Cooperative, SipdCode


class CooperativeResource(AllOrNothingResource):
    """Cooperatives by spreadsheet: kecamatan and desa by Kemendagri code; every row validated
    like the form, and a sheet with any bad row writes nothing."""

    district = IdentifierField(
        "district", "kecamatan_code", ForeignKeyWidget(District, "code"), separators="."
    )
    village = IdentifierField(
        "village", "desa_code", ForeignKeyWidget(Village, "code"), separators="."
    )
    # Identifiers: number cells refused; the Nomor Induk Koperasi is digits only (its length
    # is a soft check, as in the form); the legal entity number is text with letters.
    registry_number = IdentifierField("registry_number", "registry_number")
    legal_entity_number = IdentifierField(
        "legal_entity_number", "legal_entity_number", separators=None
    )
    contact_phone = IdentifierField(
        "contact_phone", "contact_phone", separators=" +-.()/", check=normalize_phone
    )

    class Meta:
        model = Cooperative
        fields = (
            "id",
            "name",
            "registry_number",
            "legal_entity_number",
            "legal_entity_date",
            "type",
            "district",
            "village",
            "address",
            "chair_name",
            "contact_phone",
            "members_male",
            "members_female",
            "is_active",
            "last_rat_year",
            "last_rat_date",
            "health_rating",
        )
        clean_model_instances = True
        skip_unchanged = True


class SipdCodeResource(AllOrNothingResource):
    code = IdentifierField("code", "code", separators=".")

    class Meta:
        model = SipdCode
        import_id_fields = ("code",)
        fields = ("code", "name", "is_active")
        clean_model_instances = True
        skip_unchanged = True
