"""Roles are Django groups whose permissions are declared in code and created reproducibly.

Each app's AppConfig may declare `role_permissions = {ROLE: ["app_label.codename", ...]}`; the
groups are (re)built from all of them after every migrate and by `manage.py setup_roles`.
Permissions added by hand to a role group are removed: code is the source of truth.
"""

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

DINKOP = "Staf Dinkop"
MENTOR = "Patriot Desa"
KECAMATAN = "Kecamatan (Camat/TP PKK)"
LEADERSHIP = "Pimpinan Kabupaten"
ADMINISTRATOR = "Administrator"

ROLES = {
    DINKOP: _("Staf Dinas Koperasi dan UKM: seluruh kabupaten, dapat mengubah."),
    MENTOR: _("Patriot Desa: desa penugasan aktif saja."),
    KECAMATAN: _("Camat / TP PKK: kecamatan sendiri, hanya membaca."),
    LEADERSHIP: _("Pimpinan kabupaten: seluruh kabupaten, hanya membaca."),
    ADMINISTRATOR: _("Administrator: data referensi di halaman admin."),
}


def declared_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in ROLES}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[role].update(perms)
    return declared


def _permission_ids(names: set[str]) -> list[int]:
    from django.contrib.auth.models import Permission

    ids = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        try:
            perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        except Permission.DoesNotExist:
            raise LookupError(f"Role permission {name} does not exist") from None
        ids.append(perm.pk)
    return ids


@transaction.atomic
def ensure_roles() -> dict[str, int]:
    """Create or update the role groups; returns each role's number of permissions."""
    # Imported here: this module is loaded by AppConfig before models are ready.
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    result = {}
    for role, names in declared_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(_permission_ids(names))
        result[role] = len(names)
    return result
