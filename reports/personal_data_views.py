"""The personal-data page (UU 27/2022) for the office: find what is stored under a NIK, give the
data subject a copy, erase on a lawful request.

The NIK arrives only in a POST body (`sensitive_post_parameters`, so error reports leave it
out) and leaves only in the page that answers it: never in a URL, a redirect, the session, a log
or a task's arguments. Only users with both "Mengelola permintaan data pribadi" and "Melihat NIK
lengkap" (the Administrator role) get here; every showing of a NIK is recorded (NikAccess)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from businesses.models import NikAccess
from businesses.validators import may_view_nik

from . import personal_data
from .models import MANAGE_PERSONAL_DATA, Erasure, PersonalDataExport
from .personal_data_forms import ErasureForm, NikForm


def _may_manage(request: HttpRequest) -> None:
    if not (request.user.has_perm(MANAGE_PERSONAL_DATA) and may_view_nik(request.user)):
        raise PermissionDenied


def _not_found() -> str:
    return _("Data dengan NIK tersebut tidak ditemukan.")


def _page(request: HttpRequest, form: NikForm, nik: str = "", erasure_form=None) -> HttpResponse:
    """The page: the search form and, for a NIK found, its dossier and the erasure form."""
    context = {"form": form, "recent_erasures": Erasure.objects.select_related("erased_by")[:10]}
    found = personal_data.find(nik) if nik else None
    if nik and found is None:
        context["not_found"] = _not_found()
    elif found is not None:
        NikAccess.record_ids(request.user, NikAccess.Where.PERSONAL_DATA, found.business_ids)
        context |= {
            "dossier": found,
            "nik": nik,
            "erasure_form": erasure_form or ErasureForm(initial={"nik": nik}),
        }
    invalid = form.errors or (erasure_form is not None and erasure_form.errors)
    return render(request, "reports/personal_data.html", context, status=400 if invalid else 200)


@sensitive_post_parameters("nik")
def personal_data_page(request: HttpRequest) -> HttpResponse:
    _may_manage(request)
    form = NikForm(request.POST or None)
    nik = form.cleaned_data["nik"] if request.method == "POST" and form.is_valid() else ""
    return _page(request, form, nik)


@sensitive_post_parameters("nik", "confirm_nik")
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    _may_manage(request)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        nik = form.cleaned_data.get("nik", "")
        # A NIK that is no NIK (the hidden field edited) shows as the search form's error.
        search = NikForm() if nik else NikForm({"nik": request.POST.get("nik", "")})
        return _page(request, search, nik, erasure_form=form)
    erasure = personal_data.erase(
        form.cleaned_data["nik"], by=request.user, reason=form.cleaned_data["reason"]
    )
    if erasure is None:
        messages.error(request, _not_found())
        return redirect("reports:personal_data")
    messages.success(request, _("Data pribadi telah dianonimkan."))
    return redirect(erasure)


def erasure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_manage(request)
    erasure = Erasure.objects.select_related("erased_by").filter(pk=pk).first()
    if erasure is None:
        raise Http404
    return render(request, "reports/personal_data_erasure.html", {"erasure": erasure})


@sensitive_post_parameters("nik")
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    """Queue the data subject's PDF; the task gets the export's id, the export the record ids."""
    _may_manage(request)
    form = NikForm(request.POST)
    ids = personal_data.find_ids(form.cleaned_data["nik"]) if form.is_valid() else None
    if ids is None:
        messages.error(request, _not_found())
        return redirect("reports:personal_data")
    _current, business_ids, history_ids = ids
    with transaction.atomic():
        export = PersonalDataExport.objects.create(
            requested_by=request.user, business_ids=business_ids, history_ids=history_ids
        )
        transaction.on_commit(lambda: personal_data.make_export_task.enqueue(export.pk))
    return redirect(export)


def _get_export(request: HttpRequest, pk: int) -> PersonalDataExport:
    """An export is its requester's alone: anyone else is told nothing is here."""
    _may_manage(request)
    export = PersonalDataExport.objects.filter(pk=pk, requested_by=request.user).first()
    if export is None:
        raise Http404
    return export


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _get_export(request, pk)
    template = "reports/personal_data_export.html"
    return render(request, f"{template}#status" if request.htmx else template, {"export": export})


def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF, once: it is read, deleted from storage, then sent (a second copy needs a new
    request). Not through X-Accel-Redirect: the file must be gone when the answer leaves."""
    export = _get_export(request, pk)
    if export.state != PersonalDataExport.State.DONE or not export.file:
        raise Http404
    if timezone.now() > export.expires_at:
        export.discard()
        raise Http404
    with export.file.open("rb") as pdf:
        data = pdf.read()
    export.discard()
    NikAccess.record_ids(request.user, NikAccess.Where.PERSONAL_DATA, export.business_ids)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"data-pribadi-{export.pk}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
