from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import models
from .access import VIEW_ALL


def roles(request: HttpRequest) -> dict:
    """Navigation flags; lazy so pages that never show navigation run no query for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def is_mentor() -> bool:
        return hasattr(user, "mentor")

    def viewer():
        return getattr(user, "kecamatan_viewer", None)

    return {
        "sees_all_areas": user.has_perm(VIEW_ALL),
        "is_mentor": is_mentor,
        "kecamatan_viewer": viewer,
    }


def home_regency(request: HttpRequest) -> dict:
    """The names of the home regency, the office and the site for every template.

    Lazy: a page that shows none of them runs nothing, and one that does reads the cached
    regency (see villages.models.home_regency), not the database each time.
    """
    return {
        "regency_name": SimpleLazyObject(models.home_regency_name),
        "regency_short_name": SimpleLazyObject(models.home_regency_short_name),
        "office_name": SimpleLazyObject(models.office_name),
        "site_name": SimpleLazyObject(models.site_name),
        "home_regency_code": settings.HOME_REGENCY_CODE,
    }
