from django.contrib import admin

from core.admin import HistoryAdmin

from .models import Erasure, Report, ServiceTarget, Signer, YearTarget


class ServiceTargetInline(admin.TabularInline):
    model = ServiceTarget
    extra = 0
    autocomplete_fields = ["district"]


@admin.register(YearTarget)
class YearTargetAdmin(HistoryAdmin):
    list_display = ["year", "villages_mentored", "cooperative_activities", "budget_absorption"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    inlines = [ServiceTargetInline]

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        if change:
            obj.version += 1  # the targets page then sees that its copy is stale
        super().save_model(request, obj, form, change)


@admin.register(Signer)
class SignerAdmin(HistoryAdmin):
    list_display = ["name", "position", "nip", "is_default"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["period", "district", "village", "state", "requested_by", "requested_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # reports are asked for on the dashboard


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """Read-only: erasures are made on the personal-data page, which writes this record."""

    list_display = ["erased_at", "erased_by", "businesses", "history_rows"]
    readonly_fields = [f.name for f in Erasure._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
