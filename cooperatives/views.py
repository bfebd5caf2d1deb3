import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from core.exports import dataset_response
from core.files import document_response
from core.htmx import list_template, query_without_page
from core.pagination import KeysetPaginator, capped_count
from villages.access import can_edit, get_for_user, in_editable_area
from villages.models import District

from .forms import (
    ActivityDocumentForm,
    ActivityForm,
    BudgetFilterForm,
    CooperativeFilterForm,
    CooperativeForm,
    EquipmentFormSet,
    FlagshipForm,
    ParticipantChoices,
    ParticipationFormSet,
    PartnerForm,
    recording_districts,
)
from .models import (
    Activity,
    ActivityDocument,
    ActivityStatus,
    Cooperative,
    Flagship,
    KecamatanPartner,
    SipdCode,
)

PAGE_SIZE = 25


def _get_cooperative(request: HttpRequest, pk: int, write: bool = False) -> Cooperative:
    return get_for_user(
        Cooperative.objects.select_related("district", "village"), request.user, write=write, pk=pk
    )


def _get_activity(request: HttpRequest, pk: int, write: bool = False) -> Activity:
    return get_for_user(
        Activity.objects.select_related("district", "village", "sipd"),
        request.user,
        write=write,
        pk=pk,
    )


def _get_district(request: HttpRequest, code: str, perm: str | None = None) -> District:
    return get_for_user(District.objects.in_home_regency(), request.user, perm=perm, code=code)


@vary_on_headers("HX-Request")
def cooperative_list(request: HttpRequest) -> HttpResponse:
    form = CooperativeFilterForm(request.GET or None, user=request.user)
    cooperatives = Cooperative.objects.visible_to(request.user)
    if form.is_valid():
        cooperatives = form.filter(cooperatives)
    page = KeysetPaginator(
        cooperatives.select_related("district", "village"), ("name", "pk"), PAGE_SIZE
    ).page(request.GET)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_add": request.user.has_perm("cooperatives.add_cooperative")
        and District.objects.editable_by(request.user).exists(),
        "at_risk": capped_count(Cooperative.objects.visible_to(request.user).at_risk()).value,
    }
    return render(request, list_template(request, "cooperatives/cooperative_list.html"), context)


def cooperative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = _get_cooperative(request, pk)
    participations = (
        cooperative.participations.filter(activity__in=Activity.objects.visible_to(request.user))
        .select_related("activity")
        .order_by("-activity__start_date")[:20]
    )
    return render(
        request,
        "cooperatives/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "flagships": cooperative.flagships.order_by("-year"),
            "participations": participations,
            "equipment": cooperative.equipment_received.filter(
                activity__in=Activity.objects.visible_to(request.user)
            ).select_related("activity"),
            "can_edit": can_edit(cooperative, request.user),
        },
    )


def cooperative_create(request: HttpRequest) -> HttpResponse:
    if not (
        request.user.has_perm("cooperatives.add_cooperative")
        and District.objects.editable_by(request.user).exists()
    ):
        raise PermissionDenied
    form = CooperativeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        cooperative = form.save()
        messages.success(request, _("Koperasi %(name)s ditambahkan.") % {"name": cooperative})
        return redirect(cooperative)
    return render(
        request,
        "cooperatives/cooperative_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def cooperative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = _get_cooperative(request, pk, write=True)
    form = CooperativeForm(request.POST or None, instance=cooperative, user=request.user)
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        messages.success(request, _("Koperasi %(name)s disimpan.") % {"name": cooperative})
        return redirect(cooperative)
    return render(
        request,
        "cooperatives/cooperative_form.html",
        {"form": form, "cooperative": cooperative},
        status=400 if form.errors else 200,
    )


def _year(request: HttpRequest, name: str = "tahun") -> int:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate().year


def flagship_overview(request: HttpRequest) -> HttpResponse:
    """One District, One Cooperative: which kecamatan have a flagship cooperative this year."""
    year = _year(request)
    chosen = Flagship.objects.filter(year=year).select_related("cooperative")
    districts = (
        District.objects.visible_to(request.user)
        .in_home_regency()
        .annotate(cooperative_count=Count("cooperatives", filter=Q(cooperatives__is_active=True)))
        .prefetch_related(Prefetch("flagships", queryset=chosen, to_attr="chosen"))
        .order_by("name")
    )
    return render(
        request,
        "cooperatives/flagship_overview.html",
        {
            "districts": districts,
            "year": year,
            "with_flagship": sum(1 for d in districts if d.chosen),
            "can_choose": request.user.has_perm("cooperatives.add_flagship"),
        },
    )


def flagship_choose(request: HttpRequest, code: str) -> HttpResponse:
    district = _get_district(request, code, perm="cooperatives.add_flagship")
    year = request.GET.get("tahun", "")
    shown = (
        Flagship.objects.filter(district=district, year=year).first() if (year.isdigit()) else None
    )
    form = FlagshipForm(request.POST or None, instance=shown, district=district)
    if request.method == "POST" and form.is_valid():
        # At most one per kecamatan and year: choosing again for that year replaces it.
        data = form.cleaned_data
        flagship, _created = Flagship.objects.update_or_create(
            district=district,
            year=data["year"],
            defaults={
                "cooperative": data["cooperative"],
                "reason": data["reason"],
                "chosen_by": request.user,
            },
        )
        messages.success(
            request,
            _("Koperasi unggulan %(district)s %(year)s disimpan.")
            % {"district": district.name, "year": flagship.year},
        )
        return redirect("cooperatives:flagships")
    return render(
        request,
        "cooperatives/flagship_form.html",
        {"form": form, "district": district},
        status=400 if form.errors else 200,
    )


def partners(request: HttpRequest, code: str) -> HttpResponse:
    district = _get_district(request, code)
    can_manage = request.user.has_perm("cooperatives.add_kecamatanpartner") and (
        in_editable_area(district, request.user)
    )
    form = PartnerForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            partner = form.save(commit=False)
            partner.district = district
            partner.save()
            messages.success(request, _("Mitra %(name)s ditambahkan.") % {"name": partner.name})
            return redirect("cooperatives:partners", code=district.code)
    return render(
        request,
        "cooperatives/partners.html",
        {
            "district": district,
            "partners": KecamatanPartner.objects.visible_to(request.user).filter(district=district),
            "form": form if can_manage else None,
            "activities": Activity.objects.visible_to(request.user)
            .filter(district=district)
            .select_related("sipd")[:10],
        },
        status=400 if form.errors else 200,
    )


def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_for_user(
        KecamatanPartner.objects.select_related("district"), request.user, write=True, pk=pk
    )
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        return redirect("cooperatives:partners", code=partner.district.code)
    return render(
        request,
        "cooperatives/partner_form.html",
        {"form": form, "partner": partner},
        status=400 if form.errors else 200,
    )


@vary_on_headers("HX-Request")
def activity_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    activities = Activity.objects.visible_to(request.user).in_year(year)
    district = request.GET.get("kecamatan")
    if district:
        activities = activities.filter(district__code=district)
    status = request.GET.get("status")
    if status in ActivityStatus.values:
        activities = activities.filter(status=status)
    page = KeysetPaginator(
        activities.select_related("district", "village", "sipd"), ("-start_date", "-pk"), PAGE_SIZE
    ).page(request.GET)
    return render(
        request,
        "cooperatives/activity_list.html",
        {
            "page": page,
            "year": year,
            "query": query_without_page(request),
            "districts": District.objects.visible_to(request.user).in_home_regency(),
            "district": district or "",
            "status": status or "",
            "statuses": ActivityStatus.choices,
            "can_add": request.user.has_perm("cooperatives.add_activity")
            and recording_districts(request.user).exists(),
        },
    )


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    editable = can_edit(activity, request.user)
    form = ActivityDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not (editable and request.user.has_perm("cooperatives.add_activitydocument")):
            raise PermissionDenied
        if form.is_valid():
            document = form.save(commit=False)
            document.activity = activity
            document.uploaded_by = request.user
            document.save()
            messages.success(request, _("Dokumen diunggah."))
            return redirect(activity)
    participations = activity.participations.select_related("cooperative", "business")
    equipment = activity.equipment.select_related("recipient")
    return render(
        request,
        "cooperatives/activity_detail.html",
        {
            "activity": activity,
            "participations": participations,
            "attendance": {
                "male": sum(p.attendees_male for p in participations),
                "female": sum(p.attendees_female for p in participations),
            },
            "equipment": equipment,
            "equipment_total": sum(e.total for e in equipment),
            "documents": activity.documents.all(),
            "can_edit": editable,
            "document_form": form if editable else None,
        },
        status=400 if form.errors else 200,
    )


def _activity_form(
    request: HttpRequest, activity: Activity | None, initial: dict | None = None
) -> HttpResponse:
    form = ActivityForm(request.POST or None, instance=activity, user=request.user, initial=initial)
    # Participants and recipients come from the activity's own kecamatan.
    valid = request.method == "POST" and form.is_valid()
    if valid:
        districts = [form.cleaned_data["district"]]
    elif activity is not None:
        districts = [activity.district]
    else:
        districts = recording_districts(request.user)
    kwargs = {"form_kwargs": {"choices": ParticipantChoices(request.user, districts)}}
    instance = form.instance
    people = ParticipationFormSet(
        request.POST or None, instance=instance, prefix="peserta", **kwargs
    )
    items = EquipmentFormSet(request.POST or None, instance=instance, prefix="sarana", **kwargs)
    if valid and people.is_valid() and items.is_valid():
        with transaction.atomic():
            if activity is None:
                created = form.save(commit=False)
                created.created_by = request.user
                created.save()
                saved = True
            else:
                saved = form.save_or_conflict()
            if saved:
                people.instance = items.instance = form.instance
                people.save()
                items.save()
        if saved:
            messages.success(
                request, _("Kegiatan %(title)s disimpan.") % {"title": form.instance.title}
            )
            return redirect(form.instance)
    errors = form.errors or people.total_error_count() or items.total_error_count()
    return render(
        request,
        "cooperatives/activity_form.html",
        {
            "form": form,
            "people": people,
            "items": items,
            "activity": activity,
        },
        status=400 if errors else 200,
    )


def activity_create(request: HttpRequest) -> HttpResponse:
    if not (
        request.user.has_perm("cooperatives.add_activity")
        and recording_districts(request.user).exists()
    ):
        raise PermissionDenied
    code = request.GET.get("kecamatan")
    if code:
        # Recording for a named kecamatan: outside the user's area it does not exist (404).
        district = _get_district(request, code)
        if not recording_districts(request.user).filter(pk=district.pk).exists():
            raise PermissionDenied
        return _activity_form(request, None, initial={"district": district.pk})
    return _activity_form(request, None)


def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_form(request, _get_activity(request, pk, write=True))


def document_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    document = get_for_user(ActivityDocument.objects.all(), request.user, pk=pk)
    return document_response(document)


def _absorbed(row: dict) -> float | None:
    return round(100 * row["realised"] / row["ceiling"], 1) if row["ceiling"] else None


def budget(request: HttpRequest) -> HttpResponse:
    """Ceiling, realised and absorption per SIPD sub-kegiatan and per kecamatan; exportable."""
    year = timezone.localdate().year
    form = BudgetFilterForm(request.GET or None, initial={"tahun": year})
    activities = Activity.objects.visible_to(request.user)
    if form.is_valid():
        year = form.cleaned_data["tahun"] or year
        if form.cleaned_data["kegiatan"]:
            activities = activities.filter(kind=form.cleaned_data["kegiatan"])
    activities = activities.in_year(year)
    names = dict(SipdCode.objects.values_list("code", "name"))
    by_code = list(activities.budget_totals("sipd__code"))
    by_district = list(activities.budget_totals("district__name"))
    for row in by_code:
        row["label"] = f"{row['sipd__code']} {names.get(row['sipd__code'], '')}"
    for row in by_district:
        row["label"] = row["district__name"]
    for row in by_code + by_district:
        row["absorbed"] = _absorbed(row)
    total = {
        key: sum(r[key] or 0 for r in by_code) for key in ("ceiling", "realised", "planned", "held")
    }
    total["absorbed"] = _absorbed(total)
    export = request.GET.get("ekspor")
    if export in ("csv", "xlsx"):
        return _export_budget(year, by_code, by_district, export)
    return render(
        request,
        "cooperatives/budget.html",
        {
            "form": form,
            "year": year,
            "by_code": by_code,
            "by_district": by_district,
            "total": total,
            "query": query_without_page(request),
        },
    )


def _export_budget(year: int, by_code: list, by_district: list, kind: str) -> HttpResponse:
    headers = [
        _("Kelompok"),
        _("Uraian"),
        _("Pagu (Rp)"),
        _("Realisasi (Rp)"),
        _("Serapan (%)"),
        _("Rencana"),
        _("Terlaksana"),
    ]
    data = tablib.Dataset(headers=headers, title=f"Anggaran {year}")
    for group, rows in ((_("Kode SIPD"), by_code), (_("Kecamatan"), by_district)):
        for row in rows:
            data.append(
                [
                    group,
                    row["label"],
                    row["ceiling"] or 0,
                    row["realised"] or 0,
                    "" if row["absorbed"] is None else row["absorbed"],
                    row["planned"],
                    row["held"],
                ]
            )
    return dataset_response(data, kind, f"anggaran-koperasi-{year}")
