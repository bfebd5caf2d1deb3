from django.contrib import admin

from core.admin import HistoryAdmin

from .models import ServiceTarget, YearTarget


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
