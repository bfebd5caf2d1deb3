"""What the reports add to the pages of the apps below them."""

from django.http import HttpRequest
from django.utils import timezone

from villages.panels import Panel, register

from . import figures


def home(request: HttpRequest, _obj) -> Panel | None:
    """The landing page's progress line: this year's cases done against the target."""
    if not request.user.has_perm("reports.view_reports"):
        return None
    period = figures.parse_period(str(timezone.localdate().year))
    rows = figures.service_rows(request.user, period, figures.Area())
    total = figures.Figures(period=period, area=figures.Area(), services=rows).total
    return Panel("reports/home_panel.html", {"period": period, "total": total})


def connect() -> None:
    register("home", home)
