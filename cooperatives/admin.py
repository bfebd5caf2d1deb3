from django.contrib import admin
from import_export.widgets import ForeignKeyWidget

from core.admin import HistoryAdmin
from core.imports import (
    AllOrNothingResource,
    IdentifierField,
    ImportExportAdmin,
    ImportExportAdminMixin,
)
from core.validators import normalize_phone
from villages.models import District, Village

from .models import (
    Activity,
    Cooperative,
    Equipment,
    Flagship,
    KecamatanPartner,
    Participation,
    SipdCode,
)


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


@admin.register(Cooperative)
class CooperativeAdmin(ImportExportAdminMixin, HistoryAdmin):
    resource_classes = [CooperativeResource]
    list_display = ["name", "type", "district", "is_active", "last_rat_date", "health_rating"]
    list_filter = ["type", "is_active", "health_rating", "district"]
    search_fields = ["name", "registry_number", "chair_name"]
    list_select_related = ["district"]
    autocomplete_fields = ["district", "village"]
    readonly_fields = ["version"]


@admin.register(SipdCode)
class SipdCodeAdmin(ImportExportAdmin):
    """The SIPD nomenclature is revised from time to time: import the current list here."""

    resource_classes = [SipdCodeResource]
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Flagship)
class FlagshipAdmin(HistoryAdmin):
    list_display = ["year", "district", "cooperative"]
    list_filter = ["year", "district"]
    autocomplete_fields = ["cooperative"]


@admin.register(KecamatanPartner)
class KecamatanPartnerAdmin(HistoryAdmin):
    list_display = ["name", "role", "district", "phone", "is_active"]
    list_filter = ["role", "district", "is_active"]
    search_fields = ["name"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["cooperative"]
    raw_id_fields = ["business"]


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0
    autocomplete_fields = ["recipient"]


@admin.register(Activity)
class ActivityAdmin(HistoryAdmin):
    list_display = [
        "title",
        "fiscal_year",
        "district",
        "kind",
        "status",
        "budget_ceiling",
        "realised",
    ]
    list_filter = ["fiscal_year", "status", "kind", "organiser", "district"]
    search_fields = ["title", "sipd__code"]
    list_select_related = ["district"]
    readonly_fields = ["version"]
    inlines = [ParticipationInline, EquipmentInline]
