"""Background work of the business registry (run by `manage.py worker`)."""

from django.tasks import task
from django.utils import timezone

from .models import MONTHS_NEW, Business


def refresh_scales(today=None) -> int:
    """A business's scale is read from its capital while it is new and from its sales after:
    the day it passes its first year, its stored scale may change without anyone saving it.
    Only businesses that started in the last two years can be passing; how many changed."""
    today = today or timezone.localdate()
    recent = Business.objects.filter(start_year__gte=today.year - (MONTHS_NEW // 12 + 1))
    changed = []
    for business in recent.only(
        "pk",
        "scale",
        "start_year",
        "start_month",
        "annual_turnover",
        "monthly_turnover",
        "founding_capital",
    ).iterator(chunk_size=2000):
        scale = business.computed_scale(today)
        if scale != business.scale:
            business.scale = scale
            changed.append(business)
    Business.objects.bulk_update(changed, ["scale"], batch_size=1000)
    return len(changed)


@task
def refresh_scales_task() -> int:
    """Daily (core.schedule)."""
    return refresh_scales()
