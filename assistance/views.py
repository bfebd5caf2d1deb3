from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from businesses.models import Business
from core.concurrency import EditConflict, save_versioned
from core.exports import dataset_response
from core.files import document_response
from core.htmx import list_template, query_without_page
from core.idempotency import idempotent
from core.images import photo_response, requested_side
from core.offline import offline_cacheable
from core.pagination import (
    CappedCount,
    KeysetPaginator,
    capped_count,
    capped_counts,
    counts_by,
)
from villages.access import (
    VIEW_ALL,
    can_edit,
    get_for_user,
    in_editable_area,
    keeps_pages_offline,
)
from villages.models import Mentor, Village

from .forms import (
    CaseCreateForm,
    CaseFilterForm,
    DocumentForm,
    NoteForm,
    OutcomeReviewForm,
    StatusForm,
    StepForm,
    VerificationFilterForm,
    VerificationForm,
    VisitForm,
)
from .models import (
    Case,
    CaseDocument,
    CaseEvent,
    Catalogue,
    IllegalMove,
    Status,
    Verification,
    VerificationResult,
    Visit,
    VisitPhoto,
    has_verification,
    records_to_verify,
    unverified,
)
from .resources import CaseExportResource

PAGE_SIZE = 25
BOARD_COLUMN_LIMIT = 12  # the newest; the column's link lists the rest
BOARD_COUNT_CAP = 1000  # a column's badge says "> 1000" beyond; the list counts further
# The case list's order (newest activity first); a keyset page needs the pk to break ties.
CASE_ORDER = ("-last_activity_at", "-pk")


def _get_case(request: HttpRequest, pk: int, write: bool = False, perm: str | None = None) -> Case:
    return get_for_user(
        Case.objects.select_related(
            "business__village__district", "service", "step", "mentor__user"
        ),
        request.user,
        write=write,
        perm=perm,
        pk=pk,
    )


def _case_rows(cases):
    """A case list's rows; their service and step come from a Catalogue (Catalogue.attach)."""
    return cases.select_related("business__village__district", "mentor__user")


@vary_on_headers("HX-Request")
def case_list(request: HttpRequest) -> HttpResponse:
    catalogue = Catalogue()
    form = CaseFilterForm(request.GET or None, user=request.user, catalogue=catalogue)
    cases = Case.objects.visible_to(request.user)
    if form.is_valid():
        cases = form.filter(cases)
    if (kind := request.GET.get("ekspor")) in ("csv", "xlsx"):
        rows = cases.select_related(
            "business__village__district", "service", "step", "mentor__user"
        ).order_by("pk")
        data = CaseExportResource().export(rows)
        return dataset_response(data, kind, f"kasus-{timezone.localdate():%Y%m%d}")
    page = KeysetPaginator(_case_rows(cases), CASE_ORDER, PAGE_SIZE, rows=catalogue.attach).page(
        request.GET
    )
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "services": catalogue.services,
    }
    return render(request, list_template(request, "assistance/case_list.html"), context)


def case_board(request: HttpRequest, code: str) -> HttpResponse:
    """One column per status for one service; each column shows its most recent cases."""
    catalogue = Catalogue()  # services only: the cards join their step
    service = catalogue.service(code)
    if service is None:
        raise Http404
    cases = Case.objects.visible_to(request.user).filter(service=service)
    # A card shows the business, its village and the step: the fewer joins, the less planning.
    cards = cases.select_related("business__village", "step")
    if request.user.has_perm(VIEW_ALL):
        columns = _board_columns_of_everything(cards)
    else:
        columns = _board_columns_of_an_area(cards)
    return render(
        request,
        "assistance/case_board.html",
        {"service": service, "services": catalogue.services, "columns": columns},
    )


def _board_columns_of_everything(cards) -> list[dict]:
    """Regency-wide users: each column's newest cards through the index, and the six counts
    capped in one query (a national board would otherwise count every case)."""
    counts = capped_counts(
        {status: cards.filter(status=status) for status in Status}, BOARD_COUNT_CAP
    )
    return [
        {
            "status": status,
            "cases": list(cards.filter(status=status)[:BOARD_COLUMN_LIMIT]),
            "count": counts[status],
        }
        for status in Status
    ]


def _board_columns_of_an_area(cards) -> list[dict]:
    """A mentor's villages or a kecamatan hold a few hundred cases of a service: every column's
    newest cards and exact counts in one query, numbered per status by window functions."""
    by_status = Window(RowNumber(), partition_by=F("status"), order_by=list(CASE_ORDER))
    rows = (
        cards.annotate(position=by_status, total=Window(Count("pk"), partition_by=F("status")))
        .filter(position__lte=BOARD_COLUMN_LIMIT)
        .order_by("position")
    )
    columns = {
        status: {"status": status, "cases": [], "count": CappedCount(0, False)} for status in Status
    }
    for case in rows:
        column = columns[case.status]
        column["cases"].append(case)
        column["count"] = CappedCount(case.total, False)
    return list(columns.values())


VERIFY_FIRST = 5  # unverified records shown in "Tugas saya"; the list has the rest


@offline_cacheable(keeps_pages_offline)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """A mentor's open cases in their villages, the longest without activity first."""
    cases = Case.objects.visible_to(request.user).active()
    page = KeysetPaginator(
        _case_rows(cases), ("last_activity_at", "pk"), PAGE_SIZE, rows=Catalogue().attach
    ).page(request.GET)
    context = {"page": page, "query": ""}
    if request.user.has_perm("assistance.add_verification"):
        # Records of the user's villages still to verify in the field: a count and the first few.
        waiting = unverified(Business.objects.editable_by(request.user))
        context["unverified_count"] = capped_count(waiting)
        context["unverified"] = list(
            waiting.select_related("village").order_by("name", "pk")[:VERIFY_FIRST]
        )
    return render(request, "assistance/my_tasks.html", context)


def case_create(request: HttpRequest, business_pk: int) -> HttpResponse:
    business = get_for_user(
        Business.objects.select_related("village"),
        request.user,
        perm="assistance.add_case",
        pk=business_pk,
    )
    form = CaseCreateForm(request.POST or None, business=business, user=request.user)
    if not form.fields["service"].queryset.exists():
        messages.info(request, _("Usaha ini sudah punya kasus untuk semua layanan."))
        return redirect(business)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            case = form.save(commit=False)
            case.last_activity_at = timezone.now()
            case.save()
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                by=request.user,
                at=case.last_activity_at,
                text=form.cleaned_data["note"].strip(),
            )
        messages.success(request, _("Kasus %(case)s dibuka.") % {"case": case})
        return redirect(case)
    return render(
        request,
        "assistance/case_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


@offline_cacheable(keeps_pages_offline)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    return render(request, "assistance/case_detail.html", _case_context(request, case))


def _case_context(request: HttpRequest, case: Case, **extra) -> dict:
    editable = can_edit(case, request.user)
    documents = list(case.documents.select_related("uploaded_by"))
    context = {
        "case": case,
        "can_edit": editable,
        "events": case.events.select_related("by", "step", "document")[:50],
        "documents": documents,
    }
    if case.needs_outcome_review:
        context |= _review_context(request, case, documents)
    if editable:
        context.setdefault("step_form", StepForm(case=case))
        context.setdefault("status_form", StatusForm(case=case))
        context.setdefault("note_form", NoteForm())
        context.setdefault("document_form", DocumentForm())
    return context | extra


def _review_context(request: HttpRequest, case: Case, documents: list) -> dict:
    """The outcome review box of a done NIB, PIRT or halal case (one query: who closed it)."""
    closer = case.closed_by_id()
    may_review = (
        not case.outcome_verified
        and request.user.has_perm("assistance.verify_outcome")
        and in_editable_area(case, request.user)
    )
    return {
        "has_certificate": any(d.kind == CaseDocument.Kind.CERTIFICATE for d in documents),
        "closed_by_me": closer is not None and closer == request.user.pk,
        "may_review": may_review,
        "review_form": OutcomeReviewForm(case=case),
    }


def _render_case(request: HttpRequest, case: Case, status: int = 200, **forms) -> HttpResponse:
    context = _case_context(request, case, **forms)
    template = "assistance/case_detail.html"
    if request.htmx:
        template += "#work"
    return render(request, template, context, status=status)


def _versioned_action(
    request: HttpRequest,
    pk: int,
    form_class,
    form_key: str,
    act: Callable,
    perm: str | None = None,
) -> HttpResponse:
    """Run one case action: validate, apply the rule, save unless someone saved in between."""
    case = _get_case(request, pk, write=True, perm=perm)
    form = form_class(request.POST, case=case)
    if not form.is_valid():
        return _render_case(request, case, 400, **{form_key: form})
    try:
        with transaction.atomic():
            if case.version != form.cleaned_data["version"]:
                # Judged against the page the user saw: a stale move is a conflict, even one
                # the case's new state would refuse.
                raise EditConflict(case)
            event = act(case, form)
            save_versioned(case, form.cleaned_data["version"])
            event.case = case
            event.save()
    except IllegalMove as refused:
        form.add_error(None, str(refused))
        return _render_case(request, _get_case(request, pk), 400, **{form_key: form})
    except EditConflict:
        fresh = _get_case(request, pk)
        return _render_case(
            request,
            fresh,
            409,
            conflict=_(
                "Kasus ini baru saja diubah orang lain; tampilan sudah diperbarui ke keadaan "
                "terkini. Perubahan Anda belum disimpan: ulangi bila masih perlu."
            ),
        )
    if not request.htmx:
        messages.success(request, _("Kasus diperbarui."))
        return redirect(case)
    return _render_case(request, _get_case(request, pk), flash=_("Tersimpan."))


@require_POST
@idempotent
def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(
        request,
        pk,
        StepForm,
        "step_form",
        lambda case, form: case.move_to_step(
            form.cleaned_data["step"], by=request.user, note=form.cleaned_data["note"]
        ),
    )


@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(
        request,
        pk,
        StatusForm,
        "status_form",
        lambda case, form: case.move_to(
            form.cleaned_data["status"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            outcome=form.outcome(),
        ),
    )


@require_POST
def case_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff verify a done case's outcome against its certificate, or send it back."""

    def act(case: Case, form: OutcomeReviewForm) -> CaseEvent:
        if form.cleaned_data["decision"] == OutcomeReviewForm.VERIFY:
            return case.verify_outcome(by=request.user)
        return case.send_back(by=request.user, reason=form.cleaned_data["reason"])

    return _versioned_action(
        request, pk, OutcomeReviewForm, "review_form", act, perm="assistance.verify_outcome"
    )


def _touch(case: Case, event: CaseEvent) -> None:
    """Notes and documents never conflict with other edits: they only add to the timeline."""
    event.save()
    Case.objects.filter(pk=case.pk).update(last_activity_at=event.at)
    case.last_activity_at = event.at


@require_POST
@idempotent
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, 400, note_form=form)
    with transaction.atomic():
        _touch(case, case.add_note(form.cleaned_data["text"], by=request.user))
    if not request.htmx:
        return redirect(case)
    return _render_case(request, case, flash=_("Catatan ditambahkan."))


@require_POST
def case_document(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(
        Case.objects.select_related(
            "business__village__district", "service", "step", "mentor__user"
        ),
        request.user,
        perm="assistance.add_casedocument",
        pk=pk,
    )
    form = DocumentForm(request.POST, request.FILES, instance=CaseDocument(case=case))
    if not form.is_valid():
        return _render_case(request, case, 400, document_form=form)
    with transaction.atomic():
        document = form.save(commit=False)
        document.uploaded_by = request.user
        document.save()
        event = case._event(
            CaseEvent.Kind.DOCUMENT, request.user, document=document, text=str(document)
        )
        _touch(case, event)
    if not request.htmx:
        return redirect(case)
    return _render_case(request, case, flash=_("Dokumen diunggah."))


def document_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """Documents are private: served only to users who may see their case."""
    document = get_for_user(CaseDocument.objects.all(), request.user, pk=pk)
    return document_response(document)


def _count_visit_rows(visits: list[Visit]) -> None:
    """Businesses and photos of the listed visits only (two queries, whatever the page)."""
    businesses = counts_by(Visit.businesses.through.objects.all(), "visit", visits)
    photos = counts_by(VisitPhoto.objects.all(), "visit", visits)
    for visit in visits:
        visit.business_count = businesses.get(visit.pk, 0)
        visit.photo_count = photos.get(visit.pk, 0)


@vary_on_headers("HX-Request")
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = Visit.objects.visible_to(request.user).select_related(
        "mentor__user", "village__district"
    )
    page = KeysetPaginator(visits, ("-date", "-pk"), PAGE_SIZE, rows=_count_visit_rows).page(
        request.GET
    )
    return render(
        request,
        "assistance/visit_list.html",
        {
            "page": page,
            "query": "",
            "can_add": request.user.has_perm("assistance.add_visit")
            and Mentor.objects.filter(user=request.user).exists(),
        },
    )


@idempotent
def visit_create(request: HttpRequest) -> HttpResponse:
    """A mentor logs a visit to one of their villages, with photos."""
    mentor = Mentor.objects.filter(user=request.user).first()
    if mentor is None or not request.user.has_perm("assistance.add_visit"):
        raise PermissionDenied
    chosen = Village.objects.filter(code=request.GET.get("desa")).values_list("pk", flat=True)
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"village": chosen.first()},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            visit = form.save(commit=False)
            visit.mentor = mentor
            visit.created_by = request.user
            visit.save()
            form.save_m2m()
            for photo in form.cleaned_data["photos"]:
                VisitPhoto.objects.create(visit=visit, image=photo)
        messages.success(
            request, _("Kunjungan ke %(village)s dicatat.") % {"village": visit.village.name}
        )
        if request.htmx:
            # Sent by the page's script (static/js/offline.js): it goes there itself, so the
            # message is shown on that page, not spent on a redirect the script follows.
            return HttpResponseClientRedirect(visit.village.get_absolute_url())
        return redirect(visit.village)
    return render(
        request, "assistance/visit_form.html", {"form": form}, status=400 if form.errors else 200
    )


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_for_user(
        Visit.objects.select_related("mentor__user", "village__district"), request.user, pk=pk
    )
    return render(
        request,
        "assistance/visit_detail.html",
        {
            "visit": visit,
            "businesses": visit.businesses.all(),
            "photos": visit.photos.all(),
        },
    )


def visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_for_user(VisitPhoto.objects.all(), request.user, pk=pk)
    return photo_response(photo.image, public=False, side=requested_side(request))


def _latest_result():
    newest = Verification.objects.filter(business=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(newest.values("result")[:1])


def _label_results(businesses: list[Business]) -> None:
    for business in businesses:
        business.latest_label = VerificationResult(business.latest).label if business.latest else ""


@vary_on_headers("HX-Request")
def verification_list(request: HttpRequest) -> HttpResponse:
    """The SIDT records of the user's area by verification state (default: not yet verified)."""
    form = VerificationFilterForm(request.GET or None)
    choice = form.cleaned_data["status"] if form.is_valid() else ""
    businesses = Business.objects.visible_to(request.user)
    if choice == VerificationFilterForm.VERIFIED:
        records = records_to_verify(businesses).filter(has_verification())
    elif choice == "semua":
        records = records_to_verify(businesses)
    else:
        records = unverified(businesses)
    if form.is_valid() and form.cleaned_data["hasil"]:
        records = records.alias(latest=_latest_result()).filter(latest=form.cleaned_data["hasil"])
    rows = records.select_related("village__district").annotate(latest=_latest_result())
    page = KeysetPaginator(rows, ("name", "pk"), PAGE_SIZE, rows=_label_results).page(request.GET)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "may_verify": request.user.has_perm("assistance.add_verification"),
    }
    return render(request, list_template(request, "assistance/verification_list.html"), context)


@idempotent
def verification_create(request: HttpRequest, business_pk: int) -> HttpResponse:
    """A mentor records what they found of a business in one of their villages."""
    business = get_for_user(
        Business.objects.select_related("village__district"),
        request.user,
        perm="assistance.add_verification",
        pk=business_pk,
    )
    form = VerificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        verification = form.save(commit=False)
        verification.business = business
        verification.by = request.user
        verification.save()
        messages.success(
            request,
            _("Verifikasi %(name)s dicatat: %(result)s.")
            % {"name": business.name, "result": verification.get_result_display()},
        )
        target = reverse("assistance:verifications")
        if request.htmx:
            # Sent by the page's script (static/js/offline.js), as the visit form is.
            return HttpResponseClientRedirect(target)
        return redirect(target)
    return render(
        request,
        "assistance/verification_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


def verification_photo(request: HttpRequest, pk: int) -> HttpResponse:
    verification = get_for_user(Verification.objects.exclude(photo=""), request.user, pk=pk)
    return photo_response(verification.photo, public=False, side=requested_side(request))
