from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from villages import roles

MODELS = (
    "cooperative",
    "flagship",
    "kecamatanpartner",
    "activity",
    "participation",
    "equipment",
    "activitydocument",
)
_ALL = [
    f"cooperatives.{action}_{model}"
    for model in MODELS
    for action in ("view", "add", "change", "delete")
]
_READ = [f"cooperatives.view_{model}" for model in MODELS] + ["cooperatives.view_sipdcode"]
_HISTORY = [
    f"cooperatives.view_historical{model}"
    for model in ("cooperative", "flagship", "kecamatanpartner", "activity")
]


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = _("Koperasi")
    role_permissions = {
        roles.DINKOP: [*_ALL, "cooperatives.view_sipdcode", *_HISTORY],
        # Mentors read the cooperatives of their villages' kecamatan.
        roles.MENTOR: [
            "cooperatives.view_cooperative",
            "cooperatives.view_flagship",
            "cooperatives.view_kecamatanpartner",
            "cooperatives.view_activity",
            "cooperatives.view_sipdcode",
        ],
        # The camat and TP PKK read their kecamatan and record its activities.
        roles.KECAMATAN: [
            *_READ,
            "cooperatives.add_activity",
            "cooperatives.change_activity",
            "cooperatives.add_participation",
            "cooperatives.change_participation",
            "cooperatives.delete_participation",
            "cooperatives.add_equipment",
            "cooperatives.change_equipment",
            "cooperatives.delete_equipment",
            "cooperatives.add_activitydocument",
        ],
        roles.LEADERSHIP: _READ,
        roles.ADMINISTRATOR: [
            *_ALL,
            *_HISTORY,
            *[f"cooperatives.{a}_sipdcode" for a in ("view", "add", "change", "delete")],
        ],
    }

    def ready(self) -> None:
        from villages import demo as village_demo

        from . import demo

        village_demo.register(demo.seed)

        from core.sheet_imports import SheetKind, register_sheet

        from . import sheets

        register_sheet(
            SheetKind(
                key="koperasi",
                label=_("Koperasi (daftar dari provinsi)"),
                permissions=("cooperatives.add_cooperative", "cooperatives.change_cooperative"),
                resource=lambda user, filename: sheets.CooperativeSheetResource(user, filename),
                template=sheets.template,
                aliases=sheets.COLUMNS,
                list_url="cooperatives:list",
            )
        )
