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
