from django.contrib import admin

from core.admin import HistoryAdmin, LargeTableMixin
from villages.admin import home_district_filter

from .models import Case, CaseEvent, Service, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 1
    fields = ["order", "name", "description"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """The services and their ordered steps are data: edit them here, not in code."""

    list_display = ["name", "code", "order", "outcome_required"]
    inlines = [StepInline]

    def get_readonly_fields(self, request, obj=None):
        # The code ties NIB/PIRT/halal outcomes to business fields; keep it fixed once set.
        return ["code"] if obj else []


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "kind", "by", "step", "from_status", "to_status", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(LargeTableMixin, HistoryAdmin):
    list_display = ["business", "service", "status", "step", "mentor", "last_activity_at"]
    list_filter = ["service", "status", home_district_filter("business__village__district")]
    search_fields = ["business__name", "business__owner_name"]
    list_select_related = ["business", "service", "step", "mentor__user"]
    autocomplete_fields = ["business", "mentor"]
    # Status and step move only through the case page, where the rules and the timeline apply.
    readonly_fields = ["status", "step", "version", "last_activity_at", "created_at"]
    inlines = [CaseEventInline]
