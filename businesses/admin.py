from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from core.admin import HistoryAdmin, LargeTableMixin
from core.imports import ImportExportAdminMixin
from villages.admin import home_district_filter

from .models import Business, NikAccess, Product
from .resources import BusinessResource
from .validators import mask_nik, may_view_nik


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ["name", "price", "featured", "photo"]


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """The admin's history list shows a change to the NIK, never its values (as /riwayat/)."""

    def prepare_delta_change_value(self, change, value):
        if change.field in getattr(self.model, "history_masked_fields", ()):
            return mask_nik(value)
        return super().prepare_delta_change_value(change, value)


@admin.register(Business)
class BusinessAdmin(ImportExportAdminMixin, LargeTableMixin, HistoryAdmin):
    """Businesses in the admin under the app's NIK rule (`may_view_nik`): without the
    permission the NIK is shown masked (change page, view page, history, revert form, exports,
    import preview) and cannot be set or changed; nor can the list be filtered by it."""

    resource_classes = [BusinessResource]
    list_display = ["name", "owner_name", "masked_nik", "village", "sector", "scale", "nib_number"]
    list_filter = ["sector", "scale", home_district_filter("village__district"), "owner_gender"]
    # Both have a trigram index on PostgreSQL; a village name would join every row.
    search_fields = ["name", "owner_name"]
    list_select_related = ["village"]
    autocomplete_fields = ["village", "owner_village"]
    readonly_fields = ["version", "scale", "created_by", "created_at", "updated_at"]
    inlines = [ProductInline]

    @admin.display(description=_("NIK pemilik"))
    def masked_nik(self, obj: Business) -> str:
        return obj.masked_nik

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not may_view_nik(request.user):
            exclude += ["owner_nik", "owner_birth_date"]  # the birth date spells NIK digits 7–12
        return exclude

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if may_view_nik(request.user):
            return fields
        fields = [f for f in fields if f != "masked_nik"]
        at = fields.index("owner_name") + 1 if "owner_name" in fields else 0
        return [*fields[:at], "masked_nik", *fields[at:]]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not may_view_nik(request.user):
            readonly.append("masked_nik")
        return readonly

    def save_model(self, request, obj: Business, form, change: bool) -> None:
        if not may_view_nik(request.user):
            # The form has no NIK field, but a reverted history version carries its old NIK:
            # whoever may not see NIKs keeps the stored one (or none on a new business).
            stored = Business.objects.filter(pk=obj.pk).values("owner_nik", "owner_birth_date")
            kept = (stored.first() if obj.pk else None) or {}
            obj.owner_nik = kept.get("owner_nik") or ""
            obj.owner_birth_date = kept.get("owner_birth_date")
        super().save_model(request, obj, form, change)

    def lookup_allowed(self, lookup, value, request) -> bool:
        # ?owner_nik__startswith=3 in the list URL would tell a NIK digit by digit.
        personal = lookup.split("__")[0] in ("owner_nik", "owner_birth_date")
        if personal and not may_view_nik(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            NikAccess.record(request.user, NikAccess.Where.ADMIN, [obj])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code == 200:  # the revert form shows that version's whole NIK
            version = Business.history.filter(history_id=version_id).only("id", "owner_nik")
            NikAccess.record_ids(
                request.user, NikAccess.Where.ADMIN, [v.id for v in version if v.owner_nik]
            )
        return response

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryContextHelper(self.model, historical_record)

    def get_export_resource_kwargs(self, request, **kwargs):
        return super().get_export_resource_kwargs(request, **kwargs) | {"user": request.user}

    def get_import_resource_kwargs(self, request, **kwargs):
        return super().get_import_resource_kwargs(request, **kwargs) | {"user": request.user}


@admin.register(NikAccess)
class NikAccessAdmin(LargeTableMixin, admin.ModelAdmin):
    """Read-only: the record of who was shown which whole NIK is written by the app alone."""

    list_display = ["at", "user", "where", "business_id", "business"]
    list_filter = ["where", "at"]
    list_select_related = ["user", "business"]
    search_fields = ["user__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
