from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the site's layout without the request's context processors, which read the
    session, the user and the home regency from the database (often what failed).

    Only names known without a query go in: the configured site and office names, else
    generic ones.
    """
    context = {
        "site_name": settings.SITE_NAME or gettext("UMKM"),
        "office_name": settings.OFFICE_NAME or gettext("Dinas Koperasi dan UKM"),
    }
    return HttpResponseServerError(loader.render_to_string("500.html", context))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (CSRF_FAILURE_VIEW): the site's error card, not Django's
    bare English page. Rendered with the request, so a fresh CSRF cookie goes out with it and a
    reload of the form works."""
    return render(request, "csrf_failure.html", status=403)
