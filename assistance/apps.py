from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from villages import roles

_VISITS = ["assistance.view_visit", "assistance.view_visitphoto", "assistance.view_verification"]
_WORK = [
    *_VISITS,
    "assistance.add_verification",
    "assistance.add_visit",
    "assistance.view_case",
    "assistance.add_case",
    "assistance.change_case",
    "assistance.view_casedocument",
    "assistance.add_casedocument",
    "assistance.view_caseevent",
    "assistance.view_service",
    "assistance.view_step",
]
_READ = [
    *_VISITS,
    "assistance.view_case",
    "assistance.view_casedocument",
    "assistance.view_caseevent",
    "assistance.view_service",
    "assistance.view_step",
]
_REFERENCE = [
    f"assistance.{action}_{model}"
    for model in ("service", "step")
    for action in ("view", "add", "change", "delete")
]


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Pendampingan")
    role_permissions = {
        roles.DINKOP: [
            *_WORK,
            "assistance.verify_outcome",
            "assistance.delete_case",
            "assistance.delete_casedocument",
            "assistance.view_historicalcase",
            "assistance.view_historicalvisit",
        ],
        roles.MENTOR: _WORK,
        roles.KECAMATAN: _READ,
        roles.LEADERSHIP: _READ,
        roles.ADMINISTRATOR: [
            *_WORK,
            *_REFERENCE,
            "assistance.verify_outcome",
            "assistance.delete_case",
            "assistance.view_historicalcase",
            "assistance.view_historicalvisit",
        ],
    }

    def ready(self) -> None:
        from villages import panels

        from .panels import (
            business_visits_panel,
            cases_panel,
            mentor_day_panel,
            mentor_panel,
            verification_panel,
            village_cases_panel,
            village_visits_panel,
        )

        panels.register("business", cases_panel)
        panels.register("business", business_visits_panel)
        panels.register("business", verification_panel)
        panels.register("village", village_cases_panel)
        panels.register("village", village_visits_panel)
        panels.register("mentor", mentor_panel)
        panels.register("mentor_home", mentor_day_panel)

        from villages import demo as village_demo

        from . import demo

        village_demo.register(demo.seed)
        village_demo.register(demo.seed_visits)

        from core import schedule

        from .retention import apply_retention

        schedule.every(timedelta(days=1), apply_retention, name="assistance.retention")
