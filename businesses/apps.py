from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from villages import roles

_MANAGE = [
    f"businesses.{action}_{model}"
    for model in ("business", "product")
    for action in ("view", "add", "change", "delete")
]
_READ = ["businesses.view_business", "businesses.view_product"]


class BusinessesConfig(AppConfig):
    name = "businesses"
    verbose_name = _("Usaha Mikro")
    role_permissions = {
        roles.DINKOP: [
            *_MANAGE,
            "businesses.view_nik",
            "businesses.view_historicalbusiness",
            "businesses.view_historicalproduct",
        ],
        roles.MENTOR: _MANAGE,
        roles.KECAMATAN: _READ,
        roles.LEADERSHIP: _READ,
        roles.ADMINISTRATOR: [
            *_MANAGE,
            "businesses.view_nik",
            "businesses.view_historicalbusiness",
            "businesses.view_historicalproduct",
        ],
    }

    def ready(self) -> None:
        from villages import demo as village_demo

        from . import demo

        village_demo.register(demo.seed)
