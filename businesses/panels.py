"""Sections this app adds to the village page (see villages.panels)."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from villages.access import CHANGE_ALL, in_editable_area
from villages.models import Village
from villages.panels import Panel

from .models import Business, LegalGap, OvopSelection, Potential, Sector


def _may_record(request: HttpRequest, village: Village) -> bool:
    return request.user.has_perm("businesses.change_business") and in_editable_area(
        village, request.user
    )


def potentials_panel(request: HttpRequest, village: Village) -> Panel:
    potentials = (
        Potential.objects.visible_to(request.user)
        .filter(village=village)
        .select_related("recorded_by", "reviewed_by")
        .prefetch_related("businesses")
    )
    economic = [p for p in potentials if not p.category.startswith("wisata_")]
    tourism = [p for p in potentials if p.category.startswith("wisata_")]
    return Panel(
        "businesses/potentials_panel.html",
        {
            "economic": economic,
            "tourism": tourism,
            "can_record": _may_record(request, village),
            "can_review": request.user.has_perm(CHANGE_ALL),
        },
    )


def ovop_panel(request: HttpRequest, village: Village) -> Panel:
    choices = list(
        OvopSelection.objects.visible_to(request.user)
        .filter(village=village)
        .select_related("product__business", "chosen_by")
    )
    year = timezone.localdate().year
    return Panel(
        "businesses/ovop_panel.html",
        {
            "current": next((c for c in choices if c.year == year), None),
            "history": [c for c in choices if c.year != year],
            "year": year,
            "can_choose": _may_record(request, village),
        },
    )


def businesses_panel(request: HttpRequest, village: Village) -> Panel:
    """The village's businesses and what they still lack (one aggregate query)."""
    businesses = Business.objects.visible_to(request.user).filter(village=village)
    food = Q(sector=Sector.FOOD)
    totals = businesses.aggregate(
        total=Count("pk"),
        no_nib=Count("pk", filter=Q(nib_number="")),
        no_halal=Count("pk", filter=food & Q(halal_number="")),
        no_pirt=Count("pk", filter=food & Q(pirt_number="")),
        consented=Count("pk", filter=Q(publication_consent=True)),
    )
    gaps = [
        (LegalGap.NO_NIB, totals["no_nib"]),
        (LegalGap.NO_HALAL, totals["no_halal"]),
        (LegalGap.NO_PIRT, totals["no_pirt"]),
    ]
    return Panel("businesses/village_businesses_panel.html", {"totals": totals, "gaps": gaps})
