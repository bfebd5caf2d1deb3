"""The authentication backend: Django's ModelBackend, reading less per request.

Every signed-in page needs the user, whether they are a mentor or a kecamatan viewer (navigation
and the area scoping ask), and their permissions. ModelBackend reads these in four queries; this
reads them in two: the user with their mentor and viewer rows joined, and the user's and their
groups' permissions in one query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Q


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("mentor", "kecamatan_viewer").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                # Two IN subqueries, each answered by an index (an OR over the joins was not).
                own = user_obj.user_permissions.through.objects.filter(user=user_obj)
                grouped = Group.permissions.through.objects.filter(group__user=user_obj)
                perms = perms.filter(
                    Q(pk__in=own.values("permission_id"))
                    | Q(pk__in=grouped.values("permission_id"))
                )
            rows = perms.values_list("content_type__app_label", "codename").order_by().distinct()
            user_obj._perm_cache = {f"{label}.{codename}" for label, codename in rows}
        return user_obj._perm_cache
