from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export.admin import ImportExportMixin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from core.images import PhotoInput
from core.imports import AllOrNothingResource
from villages.models import Village

from .models import Business, Product
from .validators import mask_nik


class BusinessResource(AllOrNothingResource):
    """Spreadsheet import/export of businesses; the NIK is exported masked unless permitted.

    Every row is validated like the form (NIK structure, phone, KBLI); the import runs in one
    transaction, so a sheet with a bad row writes nothing and the admin lists each bad row.
    """

    village = fields.Field("village", "village_code", ForeignKeyWidget(Village, "code"))

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
        )
        clean_model_instances = True
        skip_unchanged = True

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def dehydrate_owner_nik(self, business: Business) -> str:
        if self.user is not None and self.user.has_perm("businesses.view_nik"):
            return business.owner_nik
        return mask_nik(business.owner_nik)


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ["name", "price", "featured", "photo"]
    # Photos are private files without a URL: the admin's file widget would try to link them.
    formfield_overrides = {models.ImageField: {"widget": PhotoInput}}


@admin.register(Business)
class BusinessAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [BusinessResource]
    list_display = ["name", "owner_name", "masked_nik", "village", "sector", "nib_number"]
    list_filter = ["sector", "village__district", "owner_gender"]
    search_fields = ["name", "owner_name", "village__name"]
    list_select_related = ["village"]
    autocomplete_fields = ["village"]
    readonly_fields = ["version", "created_by", "created_at", "updated_at"]
    inlines = [ProductInline]

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: Business) -> str:
        return obj.masked_nik

    def get_export_resource_kwargs(self, request, **kwargs):
        return super().get_export_resource_kwargs(request, **kwargs) | {"user": request.user}

    def get_import_resource_kwargs(self, request, **kwargs):
        return super().get_import_resource_kwargs(request, **kwargs) | {"user": request.user}
