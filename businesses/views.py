from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.vary import vary_on_headers

from villages.access import can_edit, get_for_user
from villages.htmx import inline_errors_response

from . import panels
from .forms import BusinessFilterForm, BusinessForm, ProductForm
from .models import Business, Product

PAGE_SIZE = 25


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


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@vary_on_headers("HX-Request")
def business_list(request: HttpRequest) -> HttpResponse:
    form = BusinessFilterForm(request.GET or None, user=request.user)
    businesses = Business.objects.visible_to(request.user)
    if form.is_valid():
        businesses = form.filter(businesses)
    businesses = (
        businesses.select_related("village__district")
        .annotate(product_count=Count("products", distinct=True))
        .order_by("name", "pk")
    )
    page = Paginator(businesses, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "can_add": request.user.has_perm("businesses.add_business"),
    }
    template = "businesses/business_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


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


def business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk)
    return render(
        request,
        "businesses/business_detail.html",
        {
            "business": business,
            "products": business.products.all(),
            "panels": panels.render_panels(request, business),
            "can_edit": can_edit(business, request.user),
            "can_delete": request.user.has_perm("businesses.delete_business")
            and can_edit(business, request.user),
            "can_view_nik": request.user.has_perm("businesses.view_nik"),
        },
    )


@sensitive_post_parameters("owner_nik")
def business_edit(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk, write=True)
    form = BusinessForm(request.POST or None, instance=business, user=request.user)
    form.enable_inline_validation(request.path)
    if inline := inline_errors_response(request, form):
        return inline
    if request.method == "POST" and form.is_valid() and form.save_or_conflict():
        messages.success(request, _("Perubahan %(name)s disimpan.") % {"name": business.name})
        return redirect(business)
    return render(
        request,
        "businesses/business_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


def business_delete(request: HttpRequest, pk: int) -> HttpResponse:
    business = _get_business(request, pk, perm="businesses.delete_business")
    if request.method == "POST":
        name = business.name
        business.delete()
        messages.success(request, _("Usaha %(name)s dihapus.") % {"name": name})
        return redirect("businesses:list")
    return render(
        request,
        "businesses/business_delete.html",
        {
            "business": business,
            "case_count": business.cases.count(),
            "product_count": business.products.count(),
        },
    )


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
        product.delete()
        messages.success(request, _("Produk %(name)s dihapus.") % {"name": product.name})
        return redirect(product.business)
    return render(request, "businesses/product_delete.html", {"product": product})
