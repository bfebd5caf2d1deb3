from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django.views.i18n import set_language

from core import history
from core.htmx import list_template, query_without_page
from core.offline import offline_cacheable
from core.pagination import KeysetPaginator

from . import panels
from .access import VIEW_ALL, can_edit, get_for_user, keeps_pages_offline
from .forms import ExtremePovertyForm, VillageFilterForm, VillageOptionsForm
from .models import Assignment, District, KecamatanViewer, Mentor, Village, active_assignment

PAGE_SIZE = 25


def _active_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.active().select_related("mentor__user"),
        to_attr="active_assignments",
    )


@offline_cacheable(keeps_pages_offline)
@vary_on_headers("HX-Request")
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page."""
    user = request.user
    if user.has_perm(VIEW_ALL):
        return _staff_home(request)
    # Both read with the user (villages.auth.UserBackend).
    mentor = getattr(user, "mentor", None)
    if mentor:
        return _mentor_home(request, mentor)
    viewer = getattr(user, "kecamatan_viewer", None)
    if viewer:
        return _kecamatan_home(request, viewer)
    return render(request, "villages/home_none.html")


def _staff_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    active = Assignment.objects.active(today)
    # Active placements as conditions on the joined rows (or a correlated EXISTS), so that only
    # the regency's villages are read, never every placement in the country.
    joined_active = active_assignment(today, "villages__assignments__")
    districts = (
        District.objects.visible_to(request.user)
        .in_home_regency()
        .annotate(
            village_count=Count("villages", distinct=True),
            extreme_count=Count(
                "villages", filter=Q(villages__extreme_poverty_year__isnull=False), distinct=True
            ),
            mentored_count=Count("villages", filter=joined_active, distinct=True),
            mentor_count=Count(
                "villages__assignments__mentor", filter=joined_active, distinct=True
            ),
        )
        .order_by("name")
    )
    focus = (
        Village.objects.visible_to(request.user)
        .in_home_regency()
        .filter(
            Exists(active.filter(village=OuterRef("pk"))) | Q(extreme_poverty_year__isnull=False)
        )
        .select_related("district")
        .prefetch_related(_active_assignments())
        .order_by("district__name", "name")
    )
    totals = {
        "villages": sum(d.village_count for d in districts),
        "extreme": sum(d.extreme_count for d in districts),
        "mentored": sum(d.mentored_count for d in districts),
        "mentors": Mentor.objects.filter(
            assignments__in=active.filter(village__in=Village.objects.in_home_regency())
        )
        .distinct()
        .count(),
    }
    return render(
        request,
        "villages/home_staff.html",
        {
            "districts": districts,
            "focus": focus,
            "totals": totals,
            "panels": panels.render_panels("home", request, None),
        },
    )


def _mentor_home(request: HttpRequest, mentor: Mentor) -> HttpResponse:
    assignments = mentor.assignments.select_related("village__district").order_by(
        "-end_date", "village__name"
    )
    today = timezone.localdate()
    current = [a for a in assignments if a.is_active(today)]
    past = [a for a in assignments if not a.is_active(today)]
    return render(
        request,
        "villages/home_mentor.html",
        {
            "mentor": mentor,
            "current": current,
            "past": past,
            "panels": panels.render_panels(
                "mentor_home", request, mentor, mentor=mentor, on_duty=bool(current)
            ),
        },
    )


def _kecamatan_home(request: HttpRequest, viewer: KecamatanViewer) -> HttpResponse:
    villages = (
        Village.objects.visible_to(request.user)
        .filter(district=viewer.district)
        .select_related("district")
        .prefetch_related(_active_assignments())
    )
    return render(request, "villages/home_kecamatan.html", {"viewer": viewer, "villages": villages})


@vary_on_headers("HX-Request")
def village_list(request: HttpRequest) -> HttpResponse:
    form = VillageFilterForm(request.GET or None, user=request.user)
    villages = Village.objects.visible_to(request.user).in_home_regency()
    if form.is_valid():
        villages = form.filter(villages)
    villages = villages.select_related("district").prefetch_related(_active_assignments())
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, list_template(request, "villages/village_list.html"), context)


@require_GET
def village_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of one kecamatan's villages, for a form's village select (see
    VillageByDistrictMixin); the form itself decides which of them it accepts."""
    form = VillageOptionsForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "villages/_village_options.html", {"villages": []}, status=400)
    villages = (
        Village.objects.visible_to(request.user)
        .filter(district=form.cleaned_data["district"])
        .order_by("name")
        .only("pk", "name")
    )
    return render(request, "villages/_village_options.html", {"villages": villages})


def village_detail(request: HttpRequest, code: str) -> HttpResponse:
    village = get_for_user(
        Village.objects.select_related("district__regency"), request.user, code=code
    )
    context = {
        "village": village,
        "can_edit": can_edit(village, request.user),
        "panels": panels.render_panels("village", request, village, village=village),
    }
    if context["can_edit"]:
        context["flag_form"] = ExtremePovertyForm(instance=village)
    return render(request, "villages/village_detail.html", context | _assignments(village))


def _assignments(village: Village) -> dict:
    assignments = village.assignments.select_related("mentor__user").order_by("-start_date")
    today = timezone.localdate()
    return {
        "current": [a for a in assignments if a.is_active(today)],
        "past": [a for a in assignments if not a.is_active(today)],
    }


@require_POST
def village_flag(request: HttpRequest, code: str) -> HttpResponse:
    """Set or clear the extreme-poverty flag (Dinkop staff); refuses a stale form."""
    village = get_for_user(Village.objects.all(), request.user, write=True, code=code)
    form = ExtremePovertyForm(request.POST, instance=village)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("Status desa miskin ekstrem %(village)s disimpan.") % {"village": village.name},
        )
        if not request.htmx:
            return redirect(village)
        form = ExtremePovertyForm(instance=village)
    context = {"village": village, "flag_form": form, "can_edit": True}
    if request.htmx:
        return render(request, "villages/village_detail.html#flag", context)
    return render(
        request, "villages/village_detail.html", context | _assignments(village), status=400
    )


# The language switch must work on the login page too.
language = login_not_required(set_language)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """Shown by django-axes instead of the login page while a username/address pair is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)


def _tracked_model(request: HttpRequest, label: str):
    model = history.tracked_models().get(label)
    if model is None:
        raise Http404
    opts = model._meta
    if not (
        request.user.has_perm(VIEW_ALL)
        and request.user.has_perm(f"{opts.app_label}.view_historical{opts.model_name}")
    ):
        raise PermissionDenied
    return model


def history_list(request: HttpRequest) -> HttpResponse:
    """Recent changes of one kind of record (staff): who, when, what changed."""
    tracked = history.tracked_models()
    label = request.GET.get("jenis") or next(iter(tracked))
    model = _tracked_model(request, label)
    rows = model.history.select_related("history_user")
    page = KeysetPaginator(rows, ("-history_date", "-history_id"), PAGE_SIZE).page(request.GET)
    return render(
        request,
        "villages/history.html",
        {
            "entries": history.page_entries(model, list(page.object_list)),
            "page": page,
            "query": f"jenis={label}",
            "kinds": [(key, m._meta.verbose_name_plural) for key, m in tracked.items()],
            "kind": label,
        },
    )


def history_object(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    model = _tracked_model(request, label)
    entries = history.object_history(model, pk)
    if not entries:
        raise Http404
    return render(
        request,
        "villages/history.html",
        {
            "entries": entries,
            "kind": label,
            "object_label": entries[0].object_label,
            "model_name": model._meta.verbose_name,
        },
    )


def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A mentor's profile, placements and work, for the office (whole-regency readers)."""
    if not request.user.has_perm(VIEW_ALL):
        raise PermissionDenied
    mentor = get_object_or_404(Mentor.objects.select_related("user"), pk=pk)
    assignments = mentor.assignments.select_related("village__district").order_by("-start_date")
    today = timezone.localdate()
    return render(
        request,
        "villages/mentor_detail.html",
        {
            "mentor": mentor,
            "current": [a for a in assignments if a.is_active(today)],
            "past": [a for a in assignments if not a.is_active(today)],
            "panels": panels.render_panels("mentor", request, mentor, mentor=mentor),
        },
    )
