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

A mentor's or viewer's area is read once per request as literal ids (`user_area`, one query),
then every filter is an `IN (ids)` that the database answers from those villages through an index,
however large the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VIEW_ALL = "villages.view_all_areas"
CHANGE_ALL = "villages.change_all_areas"

NOTHING = Q(pk__in=[])


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
    changes_all, sees_all = _regency_wide(user)
    if changes_all or (not write and sees_all):
        return Q()

    area = user_area(user)
    if village_path:
        allowed = area.mentored if write else area.mentored | area.viewer_villages
        return Q(**{f"{village_path}__in": sorted(allowed)}) if allowed else NOTHING
    if write:
        allowed = area.viewer_districts if viewer_writes else frozenset()
    else:
        allowed = area.mentored_districts | area.viewer_districts
    return Q(**{f"{district_path}__in": sorted(allowed)}) if allowed else NOTHING


def _regency_wide(user: AbstractBaseUser) -> tuple[bool, bool]:
    """Whether the user changes and reads everything, asked once per user object (a page
    scopes a dozen querysets; each permission check walks every authentication backend)."""
    flags = getattr(user, "_regency_wide", None)
    if flags is None:
        flags = (user.has_perm(CHANGE_ALL), user.has_perm(VIEW_ALL))
        user._regency_wide = flags
    return flags


@dataclass(frozen=True)
class UserArea:
    """The ids of what a mentor or kecamatan viewer works in today."""

    mentored: frozenset[int]  # villages of active assignments
    mentored_districts: frozenset[int]  # their kecamatan
    viewer_districts: frozenset[int]  # the kecamatan the user reads as camat / TP PKK
    viewer_villages: frozenset[int]  # that kecamatan's villages


# Bumped whenever an assignment or a kecamatan viewer changes (villages/apps.py), so that an
# area remembered on a user object is never used after the data it came from changed.
_generation = 0


def area_changed(**kwargs: Any) -> None:
    global _generation  # noqa: PLW0603 - a process-wide change counter
    _generation += 1


def user_area(user: AbstractBaseUser) -> UserArea:
    """The user's area as literal ids, read in one query and remembered on the user object for
    the rest of the request (each request loads its own user).

    Filtering on literal ids lets PostgreSQL estimate how few rows a mentor's three villages
    hold and start from them; a subquery it cannot see into made it walk a list's whole index
    (a mentor's case list took 7 s at 3 million cases)."""
    key = (timezone.localdate(), _generation)
    cached = getattr(user, "_user_area", None)
    if cached and cached[0] == key:
        return cached[1]
    assignment = apps.get_model("villages", "Assignment")
    viewer = apps.get_model("villages", "KecamatanViewer")
    mentored = (
        assignment.objects.active(key[0])
        .filter(mentor__user=user)
        .annotate(kind=Value("m"))
        .values_list("kind", "village_id", "village__district_id")
        .order_by()
    )
    viewed = (
        viewer.objects.filter(user=user)
        .annotate(kind=Value("v"))
        .values_list("kind", "district__villages__id", "district_id")
        .order_by()
    )
    rows = list(mentored.union(viewed, all=True).order_by())
    area = UserArea(
        mentored=frozenset(v for kind, v, _d in rows if kind == "m"),
        mentored_districts=frozenset(d for kind, _v, d in rows if kind == "m"),
        viewer_districts=frozenset(d for kind, _v, d in rows if kind == "v"),
        viewer_villages=frozenset(v for kind, v, _d in rows if kind == "v" and v is not None),
    )
    user._user_area = (key, area)
    return area


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
        if not user.has_perm(perm) or not _editable(queryset, user, obj):
            raise PermissionDenied
    return obj


_UNKNOWN = object()


def _editable(queryset: AreaScopedQuerySet, user: Any, obj: models.Model) -> bool:
    """Whether `obj` (already read through `queryset`) lies in the user's writable area.

    Decided from the object's loaded fields where the rule allows (everything, nothing, or its
    village or kecamatan id among the user's literal ids): a page checks this for several
    buttons, each otherwise one query. Else the database is asked."""
    rule = queryset._area(user, write=True)
    if not rule.children:
        return True
    if rule == NOTHING:
        return False
    if len(rule.children) == 1 and not rule.negated and isinstance(rule.children[0], tuple):
        lookup, allowed = rule.children[0]
        if lookup.endswith("__in"):
            value = _loaded_value(obj, lookup.removesuffix("__in"))
            if value is not _UNKNOWN:
                return value in allowed
    return queryset.editable_by(user).filter(pk=obj.pk).exists()


def _loaded_value(obj: models.Model, path: str) -> Any:
    """The value at `path` ("village", "business__village", "pk") read from `obj` and the
    related objects already loaded with it; _UNKNOWN if that would need a query."""
    *relations, last = path.split("__")
    for name in relations:
        field = obj._meta.get_field(name)
        if not field.is_cached(obj):
            return _UNKNOWN
        obj = getattr(obj, name)
        if obj is None:
            return None
    if last == "pk":
        return obj.pk
    field = obj._meta.get_field(last)
    return getattr(obj, field.attname)


def in_editable_area(obj: models.Model, user: Any) -> bool:
    """Whether the (already visible) object lies in the area the user may change."""
    return _editable(type(obj)._default_manager.all(), user, obj)


def can_edit(obj: models.Model, user: Any) -> bool:
    """Whether the user may change this (already visible) object; for showing edit buttons."""
    opts = obj._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}") and in_editable_area(
        obj, user
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


def keeps_pages_offline(user: Any) -> bool:
    """Whether this user's pages may stay on their phone for offline reading (core.offline): a
    mentor's, which hold their own villages only; never a regency-wide user's or a viewer's."""
    if not user.is_authenticated or not hasattr(user, "mentor"):
        return False
    return not any(_regency_wide(user))
