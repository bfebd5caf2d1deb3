"""Sections this app adds to business, village and mentor pages (see villages.panels)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from businesses.models import Business
from core.pagination import capped_counts
from villages.access import can_edit, in_editable_area
from villages.models import Mentor, Village
from villages.panels import Panel

from .models import (
    ACTIVE_STATUSES,
    Case,
    CaseEvent,
    Service,
    Status,
    Visit,
    is_record_to_verify,
    stalled_cutoff,
    unverified,
)

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


def verification_panel(request: HttpRequest, business: Business) -> Panel | None:
    """The business's field verification: its state (the newest), the few before, the button."""
    verifications = list(business.verifications.select_related("by")[:5])
    return Panel(
        "assistance/verification_panel.html",
        {
            "verifications": verifications,
            "latest": verifications[0] if verifications else None,
            "is_record": is_record_to_verify(business),
            "can_verify": request.user.has_perm("assistance.add_verification")
            and in_editable_area(business, request.user),
        },
    )


def business_visits_panel(request: HttpRequest, business: Business) -> Panel | None:
    visits = list(
        Visit.objects.visible_to(request.user)
        .filter(businesses=business)
        .select_related("mentor__user")
        .order_by("-date")[:10]
    )
    return Panel("assistance/visits_panel.html", {"visits": visits, "show_village": False})


def _progress(cases) -> list[dict]:
    """Per service: how many cases in each status (one query)."""
    counts: dict[int, dict[str, int]] = {}
    for service_id, status, n in (
        cases.values_list("service", "status").annotate(n=Count("pk")).order_by()
    ):
        counts.setdefault(service_id, {})[status] = n
    rows = []
    for service in Service.objects.all():
        by_status = counts.get(service.pk, {})
        total = sum(by_status.values())
        rows.append(
            {
                "service": service,
                "total": total,
                "done": by_status.get(Status.DONE, 0),
                "active": sum(by_status.get(s, 0) for s in ACTIVE_STATUSES),
                "closed": by_status.get(Status.REJECTED, 0) + by_status.get(Status.CANCELLED, 0),
            }
        )
    return rows


def village_cases_panel(request: HttpRequest, village: Village) -> Panel:
    cases = Case.objects.visible_to(request.user).filter(business__village=village)
    return Panel("assistance/progress_panel.html", {"progress": _progress(cases)})


def village_visits_panel(request: HttpRequest, village: Village) -> Panel:
    visits = list(
        Visit.objects.visible_to(request.user)
        .filter(village=village)
        .select_related("mentor__user")
        .annotate(photo_count=Count("photos"))
        .order_by("-date", "-pk")[:10]
    )
    can_log = (
        request.user.has_perm("assistance.add_visit")
        and in_editable_area(village, request.user)
        and hasattr(request.user, "mentor")
    )
    return Panel(
        "assistance/visits_panel.html",
        {"visits": visits, "show_village": False, "can_log": can_log},
    )


MONTHS = 12


def mentor_panel(request: HttpRequest, mentor: Mentor) -> Panel:
    """Visits per month over the last year, and case progress in the mentor's villages."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    visits = Visit.objects.visible_to(request.user).filter(mentor=mentor)
    per_month = dict(
        visits.filter(date__gte=first)
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    months, month = [], first
    while month <= today:
        months.append({"month": month, "count": per_month.get(month, 0)})
        month = (month + timedelta(days=32)).replace(day=1)
    peak = max([m["count"] for m in months] + [1])
    for index, m in enumerate(months):
        m["height"] = round(80 * m["count"] / peak)
        m["x"] = index * 24
        m["y"] = 90 - m["height"]
    villages = mentor.assignments.values("village")
    cases = Case.objects.visible_to(request.user).filter(business__village__in=villages)
    return Panel(
        "assistance/mentor_panel.html",
        {
            "months": months,
            "chart_width": len(months) * 24,
            "progress": _progress(cases),
            "recent": list(visits.select_related("village").order_by("-date")[:10]),
        },
    )


URGENT_LIMIT = 3


def mentor_day_panel(request: HttpRequest, mentor: Mentor) -> Panel:
    """The start of a mentor's day on their home: open and stalled cases with the few waiting
    longest, this month's visits and the records still to verify, and the button to record a
    visit (three queries)."""
    active = Case.objects.visible_to(request.user).active()
    counts = active.aggregate(
        open=Count("pk"), stalled=Count("pk", filter=Q(last_activity_at__lt=stalled_cutoff()))
    )
    urgent = active.select_related("business__village", "service", "step").order_by(
        "last_activity_at", "pk"
    )[:URGENT_LIMIT]
    month_start = timezone.localdate().replace(day=1)
    visits = Visit.objects.visible_to(request.user).filter(mentor=mentor, date__gte=month_start)
    # Both counts in one query (the home's query budget is tested).
    more = capped_counts(
        {"visits": visits, "unverified": unverified(Business.objects.editable_by(request.user))}
    )
    return Panel(
        "assistance/mentor_day_panel.html",
        {
            "counts": counts,
            "urgent": list(urgent),
            "visit_count": more["visits"].value,
            "unverified_count": more["unverified"],
            "can_log": request.user.has_perm("assistance.add_visit"),
        },
    )
