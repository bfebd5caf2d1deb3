from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (CSRF_FAILURE_VIEW): the site's error card, not Django's
    bare English page. Rendered with the request, so a fresh CSRF cookie goes out with it and a
    reload of the form works."""
    return render(request, "csrf_failure.html", status=403)
