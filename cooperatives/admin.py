from django.contrib import admin

from core.admin import HistoryAdmin
from core.imports import (
    ImportExportAdmin,
    ImportExportAdminMixin,
)
from villages.admin import home_district_filter

from .models import (
    Activity,
    Cooperative,
    Equipment,
    Flagship,
    KecamatanPartner,
    Participation,
    SipdCode,
)
from .resources import CooperativeResource, SipdCodeResource


@admin.register(Cooperative)
class CooperativeAdmin(ImportExportAdminMixin, HistoryAdmin):
    resource_classes = [CooperativeResource]
    list_display = ["name", "type", "district", "is_active", "last_rat_date", "health_rating"]
    list_filter = ["type", "is_active", "health_rating", home_district_filter("district")]
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
    list_filter = ["year", home_district_filter("district")]
    autocomplete_fields = ["district", "cooperative"]


@admin.register(KecamatanPartner)
class KecamatanPartnerAdmin(HistoryAdmin):
    list_display = ["name", "role", "district", "phone", "is_active"]
    list_filter = ["role", home_district_filter("district"), "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["district"]


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
    list_filter = ["fiscal_year", "status", "kind", "organiser", home_district_filter("district")]
    search_fields = ["title", "sipd__code"]
    autocomplete_fields = ["district", "village", "sipd"]
    list_select_related = ["district"]
    readonly_fields = ["version"]
    inlines = [ParticipationInline, EquipmentInline]
