from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from villages import roles

_MANAGE = [
    f"businesses.{action}_{model}"
    for model in ("business", "product", "potential", "ovopselection")
    for action in ("view", "add", "change", "delete")
]
_READ = [
    "businesses.view_business",
    "businesses.view_product",
    "businesses.view_potential",
    "businesses.view_ovopselection",
]


class BusinessesConfig(AppConfig):
    name = "businesses"
    verbose_name = _("Usaha Mikro")
    role_permissions = {
        roles.DINKOP: [
            *_MANAGE,
            "businesses.view_nik",
            "businesses.exchange_sidt",
            "businesses.view_historicalbusiness",
            "businesses.view_historicalproduct",
            "businesses.view_historicalpotential",
            "businesses.view_historicalovopselection",
        ],
        roles.MENTOR: _MANAGE,
        roles.KECAMATAN: _READ,
        roles.LEADERSHIP: _READ,
        roles.ADMINISTRATOR: [
            *_MANAGE,
            "businesses.view_nik",
            "businesses.exchange_sidt",
            "businesses.export_sidt_nik",
            "businesses.view_nikaccess",
            "businesses.view_historicalbusiness",
            "businesses.view_historicalproduct",
            "businesses.view_historicalpotential",
            "businesses.view_historicalovopselection",
        ],
    }

    def ready(self) -> None:
        from villages import demo as village_demo
        from villages import panels

        from . import demo
        from .panels import businesses_panel, ovop_panel, potentials_panel

        village_demo.register(demo.seed)
        village_demo.register(demo.seed_profiles)

        from datetime import timedelta

        from core import schedule

        from .tasks import refresh_scales_task

        schedule.every(timedelta(days=1), refresh_scales_task, name="businesses.refresh_scales")
        panels.register("village", ovop_panel)
        panels.register("village", potentials_panel)
        panels.register("village", businesses_panel)

        from django.utils.translation import gettext_lazy as _

        from core.sheet_imports import SheetKind, register_sheet
        from core.uploads import SHEET_LARGEST_BYTES

        from . import sheets, sidt_import

        register_sheet(
            SheetKind(
                key="usaha",
                label=_("Usaha mikro dan produk unggulannya"),
                permissions=("businesses.add_business", "businesses.change_business"),
                resource=lambda user, filename: sheets.BusinessSheetResource(user, filename),
                template=sheets.template,
                aliases=sheets.COLUMNS,
                list_url="businesses:list",
            )
        )
        register_sheet(
            SheetKind(
                key="sidt",
                label=_("Ekstrak SIDT KUMKM (49 kolom)"),
                permissions=(
                    "businesses.exchange_sidt",
                    "businesses.add_business",
                    "businesses.change_business",
                ),
                resource=None,
                template=sidt_import.template,
                aliases={name: name for name in sidt_import.COLUMN_NAMES},
                list_url="businesses:list",
                importer=sidt_import.SidtImporter,
                preview_template="businesses/sidt_preview.html",
                # a regency's extract: 200,000 rows are about 75 MB of CSV
                max_bytes=SHEET_LARGEST_BYTES,
            )
        )
