"""Optimistic locking: an edit made on a stale page is refused instead of overwriting.

A versioned model carries a `version` number; every form that changes it posts back the version
it was rendered with, and `save_versioned` saves only if nobody saved in between.
"""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """Someone else saved the object after this user opened it."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("edit conflict")
        self.current = current


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)

    class Meta:
        abstract = True


def save_versioned(instance: VersionedModel, expected_version: int, **save_kwargs) -> None:
    """Save `instance` if its stored version is still `expected_version`, else raise EditConflict.

    The row is locked for the check (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
    writers), so two concurrent saves of the same version cannot both pass.
    """
    model = type(instance)
    with transaction.atomic():
        stored = model._default_manager.select_for_update().filter(pk=instance.pk).first()
        if stored is None or stored.version != expected_version:
            raise EditConflict(stored)
        instance.version = expected_version + 1
        if "update_fields" in save_kwargs:
            save_kwargs["update_fields"] = [*save_kwargs["update_fields"], "version"]
        instance.save(**save_kwargs)
