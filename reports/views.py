from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from assistance.models import Service
from core.files import private_file_response
from core.htmx import list_template
from villages.access import VIEW_ALL
from villages.models import District

from . import charts, figures, spreadsheet
from .forms import ReportFilterForm, TargetForm
from .models import STUCK_AFTER, Report, ServiceTarget, Signer, YearTarget
from .tasks import make_report_task

VIEW_REPORTS = "reports.view_reports"
CHANGE_TARGETS = "reports.change_yeartarget"


def _may_view(request: HttpRequest) -> None:
    """Reports are for the roles; anyone else is told nothing is here."""
    if not request.user.has_perm(VIEW_REPORTS):
        raise Http404


@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    data = request.GET.copy()
    data.setdefault("periode", str(timezone.localdate().year))
    form = ReportFilterForm(data, user=request.user)
    context = {
        "form": form,
        "suggested_periods": form.suggested_periods(),
        "target_year": timezone.localdate().year,
    }
    if not form.is_valid():
        return render(
            request, list_template(request, "reports/dashboard.html"), context, status=400
        )
    result = figures.compute(
        request.user,
        form.cleaned_data["periode"],
        form.area,
        full=True,
        service=form.cleaned_data.get("layanan"),
    )
    if request.GET.get("ekspor") == "xlsx":
        return spreadsheet.response(result)
    context |= {
        "figures": result,
        "total": result.total,
        "chart": charts.target_bars(result.services),
        "funnel_chart": charts.value_bars(result.funnel),
        "monthly_chart": charts.value_bars(result.monthly),
        "sees_all": request.user.has_perm(VIEW_ALL),
        "target_year": result.period.year or context["target_year"],
        "query": request.GET.urlencode(),
        "may_request_pdf": _may_request(request.user, form.area),
    }
    return render(request, list_template(request, "reports/dashboard.html"), context)


def _year_or_404(year: int) -> int:
    if not figures.MIN_YEAR <= year <= figures.MAX_YEAR:
        raise Http404
    return year


def targets(request: HttpRequest, year: int) -> HttpResponse:
    _may_view(request)
    _year_or_404(year)
    if request.method == "POST" and not request.user.has_perm(CHANGE_TARGETS):
        raise PermissionDenied
    target = YearTarget.objects.filter(year=year).first() or YearTarget(year=year)
    districts = District.objects.in_home_regency().order_by("name")
    form = TargetForm(
        request.POST or None,
        instance=target,
        services=Service.objects.order_by("order", "name"),
        districts=districts,
    )
    if request.method == "POST" and form.is_valid() and _save_targets(form, request.user):
        messages.success(request, _("Target %(year)s disimpan.") % {"year": year})
        return redirect("reports:targets", year=year)
    context = {
        "form": form,
        "year": year,
        "can_edit": request.user.has_perm(CHANGE_TARGETS),
        "previous_exists": YearTarget.objects.filter(year=year - 1).exists(),
        "years": list(YearTarget.objects.values_list("year", flat=True)),
    }
    return render(request, "reports/targets.html", context, status=400 if form.errors else 200)


@transaction.atomic
def _save_targets(form: TargetForm, user) -> bool:
    """Save the headline numbers (refused if someone saved since the page was opened) and write
    only the service targets that changed, so the history shows real changes."""
    target = form.instance
    target.updated_by = user
    if target.pk:
        if not form.save_or_conflict():
            return False
    else:
        target.save()
    stored = {(t.district_id, t.service_id): t for t in target.service_targets.all()}
    for (district, service), value in form.service_targets().items():
        key = (district.pk if district else None, service.pk)
        existing = stored.get(key)
        if value is None:
            if existing:
                existing.delete()
        elif existing is None:
            ServiceTarget.objects.create(
                year_target=target, district=district, service=service, cases_done=value
            )
        elif existing.cases_done != value:
            existing.cases_done = value
            existing.save(update_fields=["cases_done"])
    return True


@require_POST
def copy_targets(request: HttpRequest, year: int) -> HttpResponse:
    """Start a year's targets from last year's."""
    _may_view(request)
    _year_or_404(year)
    if not request.user.has_perm(CHANGE_TARGETS):
        raise PermissionDenied
    source = YearTarget.objects.filter(year=year - 1).first()
    if YearTarget.objects.filter(year=year).exists():
        messages.error(request, _("Target %(year)s sudah ada; ubah langsung.") % {"year": year})
    elif source is None:
        messages.error(request, _("Belum ada target %(year)s untuk disalin.") % {"year": year - 1})
    else:
        with transaction.atomic():
            copy = YearTarget.objects.create(
                year=year,
                updated_by=request.user,
                **{name: getattr(source, name) for name in TargetForm.Meta.fields},
            )
            for item in source.service_targets.all():
                ServiceTarget.objects.create(
                    year_target=copy,
                    service_id=item.service_id,
                    district_id=item.district_id,
                    cases_done=item.cases_done,
                )
        messages.success(
            request,
            _("Target %(year)s disalin dari %(source)s; periksa lalu simpan.")
            % {"year": year, "source": year - 1},
        )
    return redirect(reverse("reports:targets", args=[year]))


def _may_request(user, area: figures.Area) -> bool:
    """A report covers its whole area, so only someone who sees all of it may ask for it."""
    return figures.sees_whole_area(user, area)


@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    """Queue a PDF for the dashboard's period and area, or join the same one already queued."""
    _may_view(request)
    form = ReportFilterForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Periode atau wilayah laporan tidak sah; periksa pilihan Anda."))
        return redirect("reports:dashboard")
    area = form.area
    if not _may_request(request.user, area):
        messages.error(
            request,
            _("Laporan PDF mencakup seluruh wilayahnya: pilih desa atau kecamatan Anda sendiri."),
        )
        query = {k: request.POST.get(k, "") for k in ("periode", "kecamatan", "desa")}
        return redirect(f"{reverse('reports:dashboard')}?{urlencode(query)}")
    period = form.cleaned_data["periode"]
    same = {"period": period.code, "district": area.district, "village": area.village}
    with transaction.atomic():
        running = Report.objects.select_for_update().filter(
            state__in=[Report.State.QUEUED, Report.State.RUNNING],
            requested_at__gte=timezone.now() - STUCK_AFTER,  # a stuck one is not joined
            **same,
        )
        report = running.first()
        if report is None:
            report = Report.objects.create(
                requested_by=request.user, signer=Signer.objects.first(), **same
            )
            transaction.on_commit(lambda: make_report_task.enqueue(report.pk))
    return redirect(report)


def _get_report(request: HttpRequest, pk: int) -> Report:
    _may_view(request)
    report = (
        Report.objects.visible_to(request.user)
        .select_related("district", "village", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    context = {"report": report, "is_requester": report.requested_by_id == request.user.pk}
    if request.htmx:
        return render(request, "reports/report_detail.html#status", context)
    return render(request, "reports/report_detail.html", context)


def report_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    report = _get_report(request, pk)
    if report.state != Report.State.DONE or not report.file:
        raise Http404
    name = slugify(f"laporan-{report.period}-{report.area_label}") + ".pdf"
    return private_file_response(
        report.file.name,
        content_type="application/pdf",
        cache_control="private, no-store",
        as_attachment=True,
        filename=name,
    )


def archive(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    reports = Report.objects.visible_to(request.user).select_related(
        "district", "village", "requested_by"
    )
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "reports/archive.html", {"page": page})
