"""The one place that decides which areas a user may see and change.

Every app's querysets go through `area_filter`, usually by subclassing `AreaScopedQuerySet`
and naming the path from its model to `Village` (or to `District` for kecamatan-level data):

    class BusinessQuerySet(AreaScopedQuerySet):
        village_path = "village"

    Business.objects.visible_to(user)      # what the user may read
    Business.objects.editable_by(user)     # what the user may change

The rules:
- Users with `villages.change_all_areas` (Dinkop staff, administrators) read and change everything;
  `villages.view_all_areas` alone (regency leadership) reads everything.
- A mentor reads and changes the villages of their *active* assignments (today within start..end),
  and reads kecamatan-level data of those villages' kecamatan.
- A kecamatan viewer reads their kecamatan; they change only kecamatan-level data whose queryset
  sets `viewer_writes = True` (e.g. cooperative activities).
- Everyone else, anonymous and inactive users included, gets nothing.

The filters are subqueries, so scoping adds no query per row and none per page; each is one
`IN (… UNION …)`, which the database answers from the user's villages through an index, however
large the tables (see `area_filter`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VIEW_ALL = "villages.view_all_areas"
CHANGE_ALL = "villages.change_all_areas"

NOTHING = Q(pk__in=[])


def mentor_village_ids(user: AbstractBaseUser, on: date | None = None) -> models.QuerySet:
    """Subquery of the villages the user mentors today."""
    assignment = apps.get_model("villages", "Assignment")
    return assignment.objects.active(on).filter(mentor__user=user).values("village")


def viewer_district_ids(user: AbstractBaseUser) -> models.QuerySet:
    """Subquery of the kecamatan the user reads as camat or TP PKK."""
    viewer = apps.get_model("villages", "KecamatanViewer")
    return viewer.objects.filter(user=user).values("district")


def area_filter(
    user: AbstractBaseUser | AnonymousUser,
    *,
    village_path: str | None = None,
    district_path: str | None = None,
    write: bool = False,
    viewer_writes: bool = False,
) -> Q:
    """A Q object limiting a model to the user's area.

    `village_path` is the lookup from the model to its Village ("pk" on Village itself);
    `district_path` the lookup to its District, for data kept per kecamatan. Give one of them.
    """
    if bool(village_path) == bool(district_path):
        raise ImproperlyConfigured("area_filter needs exactly one of village_path, district_path")
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.has_perm(CHANGE_ALL) or (not write and user.has_perm(VIEW_ALL)):
        return Q()

    # Each branch is a single `IN (subquery)`: PostgreSQL turns it into a join that starts from
    # the user's few villages and reaches the rows through the foreign-key index. An OR of two
    # subqueries instead becomes a filter over every row of the table (issue 10).
    village = apps.get_model("villages", "Village")
    mentored = mentor_village_ids(user)
    viewer_districts = viewer_district_ids(user)

    if village_path:
        allowed = mentored
        if not write:
            viewer_villages = village.objects.filter(district__in=viewer_districts).values("pk")
            allowed = mentored.union(viewer_villages)
        return Q(**{f"{village_path}__in": allowed})

    mentored_districts = village.objects.filter(pk__in=mentored).values("district")
    if write and not viewer_writes:
        return NOTHING
    allowed = viewer_districts if write else mentored_districts.union(viewer_districts)
    return Q(**{f"{district_path}__in": allowed})


class AreaScopedQuerySet(models.QuerySet):
    """A queryset that knows its model's path to the area it belongs to."""

    village_path: str | None = None
    district_path: str | None = None
    viewer_writes: bool = False

    def _area(self, user: Any, write: bool) -> Q:
        return area_filter(
            user,
            village_path=self.village_path,
            district_path=self.district_path,
            write=write,
            viewer_writes=self.viewer_writes,
        )

    def visible_to(self, user: Any) -> AreaScopedQuerySet:
        return self.filter(self._area(user, write=False))

    def editable_by(self, user: Any) -> AreaScopedQuerySet:
        return self.filter(self._area(user, write=True))


def get_for_user(
    queryset: AreaScopedQuerySet,
    user: Any,
    *,
    write: bool = False,
    perm: str | None = None,
    **lookup: Any,
) -> models.Model:
    """The object, if the user may see it (else 404) and, when `write` or `perm` is given, act
    on it (else 403).

    Outside the user's area the object does not exist for them: 404 keeps it from being revealed.
    Inside the area but read-only (a kecamatan viewer, the leadership), a write is forbidden: 403.
    `perm` names the permission the action needs (default: the model's change permission).
    """
    obj = get_object_or_404(queryset.visible_to(user), **lookup)
    if write or perm:
        opts = queryset.model._meta
        perm = perm or f"{opts.app_label}.change_{opts.model_name}"
        if not user.has_perm(perm) or not queryset.editable_by(user).filter(pk=obj.pk).exists():
            raise PermissionDenied
    return obj


def can_edit(obj: models.Model, user: Any) -> bool:
    """Whether the user may change this (already visible) object; for showing edit buttons."""
    manager = type(obj)._default_manager
    opts = obj._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}") and (
        manager.editable_by(user).filter(pk=obj.pk).exists()
    )


class SystemUser:
    """The office's own scripts and schedules (e.g. `manage.py report`): they see everything,
    still through the same scoping as a person (a regency-wide user)."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemUser()
