from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from . import roles


def _ensure_roles(sender: AppConfig, **kwargs) -> None:
    # post_migrate is sent once per app with models; build the groups once, after the last one.
    with_models = [c for c in sender.apps.get_app_configs() if c.models_module is not None]
    if sender is with_models[-1]:
        roles.ensure_roles()


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Wilayah dan Pendamping")
    role_permissions = {
        roles.DINKOP: [
            "villages.view_all_areas",
            "villages.change_all_areas",
            "villages.view_village",
            "villages.change_village",
            "villages.view_district",
            "villages.view_mentor",
            "villages.view_assignment",
            "villages.view_kecamatanviewer",
            "villages.view_historicalvillage",
            "villages.view_historicalmentor",
            "villages.view_historicalassignment",
            "villages.view_historicalkecamatanviewer",
        ],
        roles.MENTOR: ["villages.view_village", "villages.view_district"],
        roles.KECAMATAN: ["villages.view_village", "villages.view_district"],
        roles.LEADERSHIP: [
            "villages.view_all_areas",
            "villages.view_village",
            "villages.view_district",
            "villages.view_mentor",
            "villages.view_assignment",
        ],
        roles.ADMINISTRATOR: [
            "villages.view_all_areas",
            "villages.change_all_areas",
            *[
                f"villages.{action}_{model}"
                for model in (
                    "province",
                    "regency",
                    "district",
                    "village",
                    "mentor",
                    "assignment",
                    "kecamatanviewer",
                )
                for action in ("view", "add", "change", "delete")
            ],
            "villages.view_historicalvillage",
            "villages.view_historicalmentor",
            "villages.view_historicalassignment",
            "villages.view_historicalkecamatanviewer",
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
        ],
    }

    def ready(self) -> None:
        from . import access

        post_migrate.connect(_ensure_roles, dispatch_uid="villages.ensure_roles")
        for model in ("Assignment", "KecamatanViewer"):
            for signal in (post_save, post_delete):
                signal.connect(
                    access.area_changed,
                    sender=f"villages.{model}",
                    dispatch_uid=f"villages.area_changed.{model}.{signal}",
                )
