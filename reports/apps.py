from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from villages import roles

_EDIT = [
    f"reports.{action}_{model}"
    for model in ("yeartarget", "servicetarget", "signer")
    for action in ("view", "add", "change", "delete")
]
_READ = ["reports.view_yeartarget", "reports.view_servicetarget", "reports.view_reports"]


class ReportsConfig(AppConfig):
    """The top floor: targets, the figures, the dashboard. It may import every app; nothing
    imports it."""

    name = "reports"
    verbose_name = _("Laporan")
    role_permissions = {
        roles.DINKOP: [*_EDIT, "reports.view_reports"],
        # The duties of UU 27/2022 (access, export, erasure): the Administrator role alone.
        roles.ADMINISTRATOR: [
            *_EDIT,
            "reports.view_reports",
            "reports.manage_personal_data",
            "reports.view_erasure",
        ],
        roles.LEADERSHIP: _READ,
        roles.KECAMATAN: _READ,
        roles.MENTOR: _READ,
    }

    def ready(self) -> None:
        from villages import demo as village_demo

        from . import demo, panels

        village_demo.register(demo.seed)
        panels.connect()

        from core import schedule

        from .personal_data import prune_exports_task

        schedule.every(timedelta(hours=1), prune_exports_task, name="reports.prune_personal_data")
