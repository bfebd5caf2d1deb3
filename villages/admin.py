from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from core.admin import LargeTableMixin
from core.imports import (
    AllOrNothingResource,
    IdentifierField,
    ImportExportAdmin,
    ImportExportAdminMixin,
)
from core.validators import normalize_phone

from .models import Assignment, District, KecamatanViewer, Mentor, Province, Regency, Village

User = get_user_model()


def area_code(attribute: str, column: str, model=None) -> IdentifierField:
    """A Kemendagri code column (32.15.05.2001): text of digits and dots. In a number cell
    32.10 becomes 32.1, so number cells are refused."""
    if model is None:
        return IdentifierField(attribute, column, separators=".")
    return IdentifierField(attribute, column, ForeignKeyWidget(model, "code"), separators=".")


class CodeResource(AllOrNothingResource):
    """Areas are matched by their Kemendagri code, so re-importing a sheet updates in place."""

    code = area_code("code", "code")

    class Meta:
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class ProvinceResource(CodeResource):
    class Meta(CodeResource.Meta):
        model = Province
        fields = ("code", "name")


class RegencyResource(CodeResource):
    province = area_code("province", "province", Province)

    class Meta(CodeResource.Meta):
        model = Regency
        fields = ("code", "province", "name")


class DistrictResource(CodeResource):
    regency = area_code("regency", "regency", Regency)

    class Meta(CodeResource.Meta):
        model = District
        fields = ("code", "regency", "name")


class VillageResource(CodeResource):
    district = area_code("district", "district", District)

    class Meta(CodeResource.Meta):
        model = Village
        fields = ("code", "district", "name", "extreme_poverty_year")


@admin.register(Province)
class ProvinceAdmin(ImportExportAdmin):
    resource_classes = [ProvinceResource]
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(ImportExportAdmin):
    resource_classes = [RegencyResource]
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(ImportExportAdmin):
    resource_classes = [DistrictResource]
    list_display = ["code", "name", "regency"]
    list_filter = ["regency__province"]
    search_fields = ["code", "name", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


def home_district_filter(path: str) -> type[admin.SimpleListFilter]:
    """A kecamatan filter listing the home regency's kecamatan only: the admin's own related
    filter would list every kecamatan of the country (7,000+) on every changelist."""

    class HomeDistrictFilter(admin.SimpleListFilter):
        title = _("kecamatan")
        parameter_name = "kecamatan"

        def lookups(self, request, model_admin):
            return list(District.objects.in_home_regency().values_list("code", "name"))

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{f"{path}__code": self.value()})
            return queryset

    return HomeDistrictFilter


class ExtremePovertyFilter(admin.SimpleListFilter):
    title = _("miskin ekstrem")
    parameter_name = "miskin_ekstrem"

    def lookups(self, request, model_admin):
        return [("ya", _("Ya")), ("tidak", _("Tidak"))]

    def queryset(self, request, queryset):
        if self.value() == "ya":
            return queryset.extreme_poverty()
        if self.value() == "tidak":
            return queryset.filter(extreme_poverty_year__isnull=True)
        return queryset


@admin.register(Village)
class VillageAdmin(LargeTableMixin, ImportExportAdmin):
    resource_classes = [VillageResource]
    list_display = ["code", "name", "kind_label", "district", "extreme_poverty_year"]
    list_filter = [ExtremePovertyFilter, "extreme_poverty_year", home_district_filter("district")]
    search_fields = ["code", "name", "district__name"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]

    @admin.display(description=_("jenis"))
    def kind_label(self, obj: Village) -> str:
        return obj.kind_label


class MentorResource(AllOrNothingResource):
    user = fields.Field("user", "username", ForeignKeyWidget(User, "username"))
    phone = IdentifierField("phone", "phone", separators=" +-.()/", check=normalize_phone)

    class Meta:
        model = Mentor
        import_id_fields = ("user",)
        fields = ("user", "phone", "cohort_year", "placing_agency")
        clean_model_instances = True
        skip_unchanged = True


class AssignmentResource(AllOrNothingResource):
    mentor = fields.Field("mentor", "mentor", ForeignKeyWidget(Mentor, "user__username"))
    village = area_code("village", "village_code", Village)

    class Meta:
        model = Assignment
        fields = ("id", "mentor", "village", "start_date", "end_date", "note")
        clean_model_instances = True
        skip_unchanged = True


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["village"]


class ActiveAssignmentFilter(admin.SimpleListFilter):
    title = _("status penugasan")
    parameter_name = "aktif"

    def lookups(self, request, model_admin):
        return [("ya", _("Aktif hari ini")), ("tidak", _("Tidak aktif"))]

    def queryset(self, request, queryset):
        active = Assignment.objects.active()
        if self.value() == "ya":
            return queryset.filter(pk__in=active.values("pk"))
        if self.value() == "tidak":
            return queryset.exclude(pk__in=active.values("pk"))
        return queryset


@admin.register(Mentor)
class MentorAdmin(ImportExportAdmin):
    resource_classes = [MentorResource]
    list_display = ["__str__", "user", "phone", "cohort_year", "placing_agency"]
    list_filter = ["cohort_year", "placing_agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(ImportExportAdmin):
    resource_classes = [AssignmentResource]
    list_display = ["mentor", "village", "district", "start_date", "end_date", "is_active_today"]
    list_filter = [ActiveAssignmentFilter, home_district_filter("village__district"), "start_date"]
    search_fields = ["mentor__user__first_name", "mentor__user__last_name", "village__name"]
    list_select_related = ["mentor__user", "village__district"]
    autocomplete_fields = ["mentor", "village"]
    date_hierarchy = "start_date"

    @admin.display(description=_("kecamatan"), ordering="village__district__name")
    def district(self, obj: Assignment) -> str:
        return obj.village.district.name

    @admin.display(description=_("aktif hari ini"), boolean=True)
    def is_active_today(self, obj: Assignment) -> bool:
        return obj.is_active(timezone.localdate())


class KecamatanViewerResource(AllOrNothingResource):
    user = fields.Field("user", "username", ForeignKeyWidget(User, "username"))
    district = area_code("district", "district_code", District)

    class Meta:
        model = KecamatanViewer
        import_id_fields = ("user",)
        fields = ("user", "district", "role", "position")
        clean_model_instances = True


@admin.register(KecamatanViewer)
class KecamatanViewerAdmin(ImportExportAdmin):
    resource_classes = [KecamatanViewerResource]
    list_display = ["user", "district", "role", "position"]
    list_filter = ["role", "district"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "district__name"]
    list_select_related = ["user", "district"]
    autocomplete_fields = ["user", "district"]


class UserResource(AllOrNothingResource):
    """Users without passwords: an imported account gets an unusable one until an admin sets it."""

    groups = fields.Field("groups", "groups", ManyToManyWidget(Group, field="name", separator=";"))

    class Meta:
        model = User
        import_id_fields = ("username",)
        fields = ("username", "first_name", "last_name", "email", "is_active", "groups")
        clean_model_instances = True
        skip_unchanged = True

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        if new:
            instance.set_unusable_password()


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(ImportExportAdminMixin, UserAdmin):
    resource_classes = [UserResource]
