from itertools import batched

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.exports import csv_stream_response, dataset_response
from core.htmx import inline_errors_response, list_template, query_without_page
from core.images import photo_response, requested_side
from core.offline import offline_cacheable
from core.pagination import KeysetPaginator, counts_by
from villages import panels
from villages.access import (
    CHANGE_ALL,
    can_edit,
    get_for_user,
    in_editable_area,
    keeps_pages_offline,
)
from villages.models import Village

from .forms import (
    BusinessFilterForm,
    BusinessForm,
    OvopForm,
    PotentialForm,
    PotentialReviewForm,
    ProductForm,
)
from .models import Business, NikAccess, OvopSelection, Potential, Product
from .resources import BusinessResource
from .sidt import COLUMN_NAMES, EXPORT_RELATED, export_row
from .validators import mask_nik, may_view_nik

PAGE_SIZE = 25
SIDT_XLSX_ROWS = 20_000  # more rows: the CSV, which streams


def _get_business(request: HttpRequest, pk: int, write: bool = False, perm: str | None = None):
    return get_for_user(
        Business.objects.select_related("village__district"),
        request.user,
        write=write,
        perm=perm,
        pk=pk,
    )


def _get_product(request: HttpRequest, pk: int, write: bool = False, perm: str | None = None):
    return get_for_user(
        Product.objects.select_related("business"), request.user, write=write, perm=perm, pk=pk
    )


@vary_on_headers("HX-Request")
def business_list(request: HttpRequest) -> HttpResponse:
    form = BusinessFilterForm(request.GET or None, user=request.user)
    businesses = Business.objects.visible_to(request.user).select_related("village__district")
    if form.is_valid():
        businesses = form.filter(businesses)
    if (kind := request.GET.get("ekspor")) in ("csv", "xlsx"):
        data = BusinessResource(user=request.user).export(businesses.order_by("pk"))
        return dataset_response(data, kind, f"usaha-{timezone.localdate():%Y%m%d}")
    page = KeysetPaginator(
        businesses, ("name", "pk"), PAGE_SIZE, rows=_count_products, probe=form.probe
    ).page(request.GET)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_add": request.user.has_perm("businesses.add_business"),
    }
    return render(request, list_template(request, "businesses/business_list.html"), context)


def _count_products(businesses: list[Business]) -> None:
    """Each listed business's number of products: one query for the page's rows only."""
    counts = counts_by(Product.objects.all(), "business", businesses)
    for business in businesses:
        business.product_count = counts.get(business.pk, 0)


@sensitive_post_parameters("owner_nik")
def business_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("businesses.add_business"):
        raise PermissionDenied
    form = BusinessForm(request.POST or None, user=request.user)
    form.enable_inline_validation(request.path)
    if inline := inline_errors_response(request, form):
        return inline
    if request.method == "POST" and form.is_valid():
        business = form.save(commit=False)
        business.created_by = request.user
        business.save()
        messages.success(request, _("Usaha %(name)s ditambahkan.") % {"name": business.name})
        return redirect(business)
    return render(
        request, "businesses/business_form.html", {"form": form}, status=400 if form.errors else 200
    )


@offline_cacheable(keeps_pages_offline)
def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk)
    editable = can_edit(business, request.user)
    NikAccess.record(request.user, NikAccess.Where.DETAIL, [business])
    return render(
        request,
        "businesses/business_detail.html",
        {
            "business": business,
            "products": business.products.all(),
            "panels": panels.render_panels("business", request, business, business=business),
            "can_edit": editable,
            "can_delete": request.user.has_perm("businesses.delete_business") and editable,
            "can_view_nik": request.user.has_perm("businesses.view_nik"),
        },
    )


@sensitive_post_parameters("owner_nik")
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk, write=True)
    stored_nik = [business.pk] if business.owner_nik else []
    form = BusinessForm(request.POST or None, instance=business, user=request.user)
    form.enable_inline_validation(request.path)
    if inline := inline_errors_response(request, form):
        return inline
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        messages.success(request, _("Perubahan %(name)s disimpan.") % {"name": business.name})
        return redirect(business)
    NikAccess.record_ids(request.user, NikAccess.Where.FORM, stored_nik)
    return render(
        request,
        "businesses/business_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


def business_delete(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk, perm="businesses.delete_business")
    context = {
        "business": business,
        "case_count": business.cases.count(),
        "product_count": business.products.count(),
    }
    if request.method == "POST":
        name = business.name
        try:
            business.delete()
        except ProtectedError as protected:
            return _cannot_delete(request, "businesses/business_delete.html", context, protected)
        messages.success(request, _("Usaha %(name)s dihapus.") % {"name": name})
        return redirect("businesses:list")
    return render(request, "businesses/business_delete.html", context)


def _cannot_delete(request: HttpRequest, template: str, context: dict, protected) -> HttpResponse:
    """A record still used elsewhere (an OVOP choice, a cooperative activity) stays; say where."""
    used_by = sorted({str(obj._meta.verbose_name) for obj in protected.protected_objects})
    messages.error(
        request,
        _("Tidak bisa dihapus karena masih dipakai di: %(places)s. Ubah data itu dulu.")
        % {"places": ", ".join(used_by)},
    )
    return render(request, template, context | {"blocked": True}, status=409)


def product_create(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk, perm="businesses.add_product")
    form = ProductForm(
        request.POST or None, request.FILES or None, instance=Product(business=business)
    )
    if request.method == "POST" and form.is_valid():
        product = form.save()
        messages.success(request, _("Produk %(name)s ditambahkan.") % {"name": product.name})
        return redirect(business)
    return render(
        request,
        "businesses/product_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _get_product(request, pk, write=True)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        messages.success(request, _("Produk %(name)s disimpan.") % {"name": product.name})
        return redirect(product.business)
    return render(
        request,
        "businesses/product_form.html",
        {"form": form, "business": product.business, "product": product},
        status=400 if form.errors else 200,
    )


def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = _get_product(request, pk, perm="businesses.delete_product")
    if request.method == "POST":
        try:
            product.delete()
        except ProtectedError as protected:
            return _cannot_delete(
                request, "businesses/product_delete.html", {"product": product}, protected
            )
        messages.success(request, _("Produk %(name)s dihapus.") % {"name": product.name})
        return redirect(product.business)
    return render(request, "businesses/product_delete.html", {"product": product})


def product_photo(request: HttpRequest, pk: int) -> HttpResponse:
    product = _get_product(request, pk)
    if not product.photo:
        raise Http404
    return photo_response(product.photo, public=False, side=requested_side(request))


def _get_village(request: HttpRequest, code: str, perm: str | None = None) -> Village:
    """The village, if visible (else 404); with `perm`, also one the user works in (else 403)."""
    village = get_for_user(Village.objects.select_related("district"), request.user, code=code)
    if perm and not (request.user.has_perm(perm) and in_editable_area(village, request.user)):
        raise PermissionDenied
    return village


def _get_potential(request: HttpRequest, pk: int, write: bool = False) -> Potential:
    potential = get_for_user(Potential.objects.select_related("village"), request.user, pk=pk)
    if write:
        _get_village(request, potential.village.code, perm="businesses.change_potential")
    return potential


def potential_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _get_village(request, code, perm="businesses.add_potential")
    form = PotentialForm(request.POST or None, request.FILES or None, village=village)
    if request.method == "POST" and form.is_valid():
        potential = form.save(commit=False)
        potential.recorded_by = request.user
        potential.save()
        form.save_m2m()
        messages.success(request, _("Potensi %(title)s dicatat.") % {"title": potential.title})
        return redirect(village)
    return render(
        request,
        "businesses/potential_form.html",
        {"form": form, "village": village},
        status=400 if form.errors else 200,
    )


def potential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    potential = _get_potential(request, pk, write=True)
    form = PotentialForm(
        request.POST or None, request.FILES or None, instance=potential, village=potential.village
    )
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        messages.success(request, _("Potensi %(title)s disimpan.") % {"title": potential.title})
        return redirect(potential.village)
    return render(
        request,
        "businesses/potential_form.html",
        {"form": form, "village": potential.village, "potential": potential},
        status=400 if form.errors else 200,
    )


@require_POST
def potential_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff confirm a mentor's mapping (Dinkop reviews what the mentors record)."""
    potential = _get_potential(request, pk)
    if not request.user.has_perm(CHANGE_ALL):
        raise PermissionDenied
    form = PotentialReviewForm(request.POST)
    if form.is_valid():
        potential.reviewed_by = request.user
        potential.reviewed_at = timezone.now()
        potential.review_note = form.cleaned_data["review_note"]
        potential.version += 1
        potential.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "version"])
        messages.success(
            request, _("Potensi %(title)s sudah ditinjau.") % {"title": potential.title}
        )
    return redirect(potential.village)


def potential_photo(request: HttpRequest, pk: int) -> HttpResponse:
    potential = _get_potential(request, pk)
    if not potential.photo:
        raise Http404
    return photo_response(potential.photo, public=False, side=requested_side(request))


def ovop_choose(request: HttpRequest, code: str) -> HttpResponse:
    village = _get_village(request, code, perm="businesses.add_ovopselection")
    year = request.GET.get("tahun", "")
    shown = (
        OvopSelection.objects.filter(village=village, year=year).first()
        if (year.isdigit())
        else None
    )
    form = OvopForm(request.POST or None, instance=shown, village=village)
    if request.method == "POST" and form.is_valid():
        # One per village and year: choosing again for that year replaces the choice.
        data = form.cleaned_data
        choice, _created = OvopSelection.objects.update_or_create(
            village=village,
            year=data["year"],
            defaults={
                "product": data["product"],
                "reason": data["reason"],
                "chosen_by": request.user,
            },
        )
        messages.success(
            request,
            _("Produk OVOP %(year)s untuk %(village)s disimpan.")
            % {"year": choice.year, "village": village.name},
        )
        return redirect(village)
    return render(
        request,
        "businesses/ovop_form.html",
        {"form": form, "village": village},
        status=400 if form.errors else 200,
    )


def ovop_overview(request: HttpRequest) -> HttpResponse:
    """Which villages have an OVOP product this year (staff overview of the regency)."""
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = timezone.localdate().year
    chosen = OvopSelection.objects.filter(year=year).select_related("product__business")
    villages = (
        Village.objects.visible_to(request.user)
        .in_home_regency()
        .select_related("district")
        .prefetch_related(Prefetch("ovop", queryset=chosen, to_attr="chosen"))
    )
    only = request.GET.get("status")
    if only == "ada":
        villages = villages.filter(ovop__year=year)
    elif only == "belum":
        villages = villages.exclude(ovop__year=year)
    page = Paginator(villages, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "businesses/ovop_overview.html",
        {
            "page": page,
            "year": year,
            "status": only or "",
            "query": query_without_page(request),
            "with_ovop": OvopSelection.objects.filter(
                year=year, village__in=Village.objects.visible_to(request.user).in_home_regency()
            ).count(),
        },
    )


def sidt_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The businesses of the user's area in SIDT's 49 columns; the NIK whole only with
    "Mengekspor NIK lengkap ke SIDT", every whole NIK recorded (NikAccess, one row each)."""
    user = request.user
    if not user.has_perm("businesses.exchange_sidt"):
        if user.get_all_permissions():
            raise PermissionDenied
        raise Http404
    if kind not in ("csv", "xlsx"):
        raise Http404
    businesses = Business.objects.visible_to(user).select_related(*EXPORT_RELATED).order_by("pk")
    full = user.has_perm("businesses.export_sidt_nik") and may_view_nik(user)
    nik = str if full else mask_nik
    now, filename = timezone.now(), f"sidt-{timezone.localdate():%Y%m%d}"
    if kind == "csv":
        rows = _sidt_rows(businesses, nik, now, user if full else None)
        return csv_stream_response(list(COLUMN_NAMES), rows, filename)
    if businesses.count() > SIDT_XLSX_ROWS:
        messages.error(
            request,
            _("Lebih dari %(n)s usaha: unduh sebagai CSV.")
            % {"n": f"{SIDT_XLSX_ROWS:,}".replace(",", ".")},
        )
        return redirect("businesses:list")
    chosen = list(businesses)
    if full:
        NikAccess.record(user, NikAccess.Where.EXPORT, chosen)
    data = tablib.Dataset(
        *[export_row(b, nik=nik, pulled_at=now) for b in chosen], headers=list(COLUMN_NAMES)
    )
    return dataset_response(data, "xlsx", filename)


def _sidt_rows(businesses, nik, now, recorded_for):
    """Rows 2,000 at a time; the whole NIKs of each batch recorded before it is sent."""
    for chunk in batched(businesses.iterator(chunk_size=2000), 2000):
        if recorded_for is not None:
            NikAccess.record(recorded_for, NikAccess.Where.EXPORT, chunk)
        for business in chunk:
            yield export_row(business, nik=nik, pulled_at=now)
