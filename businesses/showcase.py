"""The public showcase (etalase): no login, no JavaScript, cacheable, good as a shared link.

Shows only what the owner agreed to publish (Business.publication_consent): business name,
products, prices, photos and a WhatsApp order link. Never the NIK, the address or the owner's
personal details.
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_page

from core.images import photo_response, requested_side
from villages.models import District, Village

from .models import OvopSelection, Product

CACHE_SECONDS = 300


def _public_products():
    return Product.objects.public().select_related("business__village__district")


def _ovop_this_year():
    return OvopSelection.objects.filter(
        year=timezone.localdate().year, product__business__publication_consent=True
    ).select_related("product__business__village__district", "village")


@login_not_required
@cache_page(CACHE_SECONDS)
def index(request: HttpRequest) -> HttpResponse:
    public = Q(villages__businesses__publication_consent=True)
    districts = (
        District.objects.in_home_regency()
        .annotate(
            product_count=Count(
                "villages__businesses__products",
                filter=public & Q(villages__businesses__products__featured=True),
                distinct=True,
            )
        )
        .filter(product_count__gt=0)
        .order_by("name")
    )
    ovop = _ovop_this_year().filter(village__district__in=District.objects.in_home_regency())
    return render(request, "showcase/index.html", {"districts": districts, "ovop": ovop})


@login_not_required
@cache_page(CACHE_SECONDS)
def district(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District.objects.in_home_regency(), code=code)
    products = _public_products().filter(business__village__district=district, featured=True)
    ovop = _ovop_this_year().filter(village__district=district)
    return render(
        request,
        "showcase/district.html",
        {
            "district": district,
            "ovop": ovop,
            "products": products.order_by("business__village__name", "name")[:120],
            "villages": _villages_with_products(district, ovop),
        },
    )


def _villages_with_products(district: District, ovop: QuerySet) -> QuerySet:
    """The kecamatan's villages that have a page worth visiting: a featured product of a
    consenting business, or this year's OVOP (one query, whatever the number of villages)."""
    featured = Q(businesses__publication_consent=True, businesses__products__featured=True)
    return (
        Village.objects.filter(district=district)
        .annotate(product_count=Count("businesses__products", filter=featured, distinct=True))
        .filter(Q(product_count__gt=0) | Q(pk__in=ovop.values("village")))
        .order_by("name")
    )


@login_not_required
@cache_page(CACHE_SECONDS)
def village(request: HttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(
        Village.objects.in_home_regency().select_related("district"), code=code
    )
    ovop = _ovop_this_year().filter(village=village).first()
    products = _public_products().filter(business__village=village, featured=True)
    if ovop:
        products = products.exclude(pk=ovop.product_id)
    return render(
        request,
        "showcase/village.html",
        {"village": village, "ovop": ovop, "products": products.order_by("name")},
    )


@login_not_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.public(), pk=pk)
    if not product.photo:
        raise Http404
    return photo_response(product.photo, public=True, side=requested_side(request))
