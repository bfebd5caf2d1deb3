"""Admin machinery shared by every app's admin (knows no app)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from .pagination import capped_count


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


class CappedPaginator(Paginator):
    """The admin's paginator for tables of millions of rows: counts at most COUNT_CAP rows, so
    a changelist costs a bounded index scan instead of a count of the whole table. Beyond the
    cap the last page links stop at page COUNT_CAP / per page; filters and search narrow down."""

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list).value


class LargeTableMixin:
    """Changelist settings for a ModelAdmin whose table grows to national size."""

    paginator = CappedPaginator
    show_full_result_count = False  # no second count of the unfiltered table
