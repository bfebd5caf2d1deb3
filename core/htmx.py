"""Small helpers for views that serve htmx requests."""

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def inline_errors_response(request: HttpRequest, form: Form) -> HttpResponse | None:
    """For a POST carrying `_validate=<field>` (see InlineValidationMixin): that field's errors,
    rendered where the field shows them. None for an ordinary POST."""
    name = request.POST.get("_validate")
    if request.method != "POST" or not name:
        return None
    form.is_valid()
    field = name.removeprefix(f"{form.prefix}-") if form.prefix else name
    return render(request, "includes/field_errors.html", {"errors": form.errors.get(field, [])})


def query_without_page(request: HttpRequest) -> str:
    """The list's query string without its page (`page`, or a keyset cursor), for pagination
    links that keep the filters."""
    query = request.GET.copy()
    for name in ("page", "setelah", "sebelum"):
        query.pop(name, None)
    return query.urlencode()


def list_template(request: HttpRequest, template: str, partial: str = "results") -> str:
    """The whole page for a plain request, only its results fragment for an htmx swap."""
    if request.htmx and not request.htmx.boosted:
        return f"{template}#{partial}"
    return template
