from django.http import HttpRequest

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
