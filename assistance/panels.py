"""The cases and timeline section of the business page (see businesses.panels)."""

from django.http import HttpRequest

from businesses.models import Business
from businesses.panels import Panel
from villages.access import can_edit

from .models import CaseEvent

TIMELINE_LIMIT = 20


def cases_panel(request: HttpRequest, business: Business) -> Panel:
    cases = business.cases.select_related("service", "step", "mentor__user")
    events = (
        CaseEvent.objects.filter(case__business=business)
        .select_related("by", "step", "case__service", "document")
        .order_by("-at", "-pk")[:TIMELINE_LIMIT]
    )
    return Panel(
        "assistance/business_panel.html",
        {
            "cases": cases,
            "events": events,
            "can_add_case": request.user.has_perm("assistance.add_case")
            and can_edit(business, request.user),
        },
    )
