"""The import pages (/impor/): upload, background check, preview, confirm, background import."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import ImportJob
from .sheet_imports import SHEET_KINDS, import_task, kinds_for, start, validate_task
from .uploads import SheetFormField, too_big


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Jenis data"))
    file = SheetFormField(label=gettext_lazy("Berkas XLSX atau CSV"))

    def __init__(self, *args, kinds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]

    def clean(self):
        data = super().clean()
        kind, upload = SHEET_KINDS.get(data.get("kind", "")), data.get("file")
        if kind and upload and (error := too_big(upload, kind.max_bytes)):
            self.add_error("file", error)
        return data


def _kinds(request: HttpRequest):
    """The kinds of sheet the user may import; a read-only role gets 403, anyone else 404."""
    kinds = kinds_for(request.user)
    if not kinds:
        if request.user.get_all_permissions():
            raise PermissionDenied
        raise Http404
    return kinds


def index(request: HttpRequest) -> HttpResponse:
    kinds = _kinds(request)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(
            kind=form.cleaned_data["kind"], filename=upload.name[:200], uploaded_by=request.user
        )
        job.file.save(
            f"{slugify(job.kind)}.{upload.name.rsplit('.', 1)[-1].lower()}", upload, save=False
        )
        job.save()
        start(job, validate_task)
        return redirect(job)
    jobs = ImportJob.objects.filter(uploaded_by=request.user)[:20]
    return render(
        request,
        "core/import_index.html",
        {"form": form, "kinds": kinds, "jobs": jobs},
        status=400 if form.errors else 200,
    )


def template(request: HttpRequest, kind: str) -> HttpResponse:
    kinds = {k.key: k for k in _kinds(request)}
    if kind not in kinds:
        raise Http404
    return HttpResponse(
        kinds[kind].template(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="templat-{kind}.xlsx"'},
    )


def _job(request: HttpRequest, pk: int) -> ImportJob:
    _kinds(request)
    job = ImportJob.objects.filter(pk=pk, uploaded_by=request.user).first()
    if job is None:
        raise Http404
    return job


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    kind = SHEET_KINDS.get(job.kind)
    # Columns are named as the template heads them.
    labels = {column: header for header, column in (kind.aliases if kind else {}).items()}
    errors = [e | {"column": labels.get(e["column"], e["column"])} for e in job.errors[:500]]
    context = {"job": job, "kind": kind, "errors": errors, "more": len(job.errors) - 500}
    if request.htmx:
        return render(request, "core/import_job.html#state", context)
    return render(request, "core/import_job.html", context)


@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not request.user.has_perms(SHEET_KINDS[job.kind].permissions):
        raise PermissionDenied
    if job.state != ImportJob.State.PREVIEW or job.errors:
        messages.error(
            request, _("Impor ini tidak bisa dijalankan; perbaiki lembar kerjanya dulu.")
        )
        return redirect(job)
    confirmed = set(request.POST.getlist("confirm"))
    missing = [w["row"] for w in job.warnings if str(w["row"]) not in confirmed]
    if missing and not request.POST.get("confirm_all"):
        messages.error(
            request,
            _("Periksa dan centang peringatan baris %(rows)s, atau perbaiki lembar kerjanya.")
            % {"rows": ", ".join(map(str, missing[:20]))},
        )
        return redirect(job)
    updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEW).update(
        state=ImportJob.State.IMPORTING, progress=0
    )
    if updated:  # a double click starts one import
        start(job, import_task)
    return redirect(job)
