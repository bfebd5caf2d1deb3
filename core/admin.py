"""Admin machinery shared by every app's admin (knows no app)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


def _primary_key_or_404(model: type[models.Model], value: str) -> None:
    """A hand-made admin URL with an id that is no id (text, 5,000 digits) is a 404, as the
    admin's own change page treats it; simple-history's views let it escape as a 500."""
    try:
        model._meta.pk.to_python(unquote(value))
    except (ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages answer 404 to an id that cannot exist."""

    def history_view(self, request, object_id, extra_context=None):
        _primary_key_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _primary_key_or_404(self.model, object_id)
        _primary_key_or_404(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
