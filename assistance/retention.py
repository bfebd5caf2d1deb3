"""Retention: the documents of cases closed more than RETENTION_YEARS years ago are deleted, the
file from private storage and its row, by a daily task (registered with `core.schedule` in
AssistanceConfig.ready) or by `manage.py retention`; `--dry-run` lists them first.

A case is closed when it ended done, rejected or cancelled (`closed_on` is set; reopening one
clears it, so its documents stay). The case itself, its timeline and its figures stay: the
timeline's upload entries keep the document's name (without a link) and gain one note saying
what was deleted and why. Visit photos are not a case's: a visit belongs to a village and several
businesses, has no closing date, and is the record of the mentor's work that the village and
mentor pages and the reports show.
"""

import logging
from collections.abc import Iterable
from datetime import date
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CaseDocument, CaseEvent, Status

log = logging.getLogger(__name__)

CLOSED_STATUSES = [Status.DONE, Status.REJECTED, Status.CANCELLED]
BATCH_CASES = 200


def cutoff(years: int, today: date | None = None) -> date | None:
    """Cases closed before this day are past retention; None when retention is off (0 years)."""
    if years <= 0:
        return None
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year - years, day=28)


def expired_documents(years: int | None = None) -> QuerySet[CaseDocument]:
    """The documents past retention, by case; none when retention is off."""
    before = cutoff(settings.RETENTION_YEARS if years is None else years)
    if before is None:
        return CaseDocument.objects.none()
    return (
        CaseDocument.objects.filter(case__status__in=CLOSED_STATUSES, case__closed_on__lt=before)
        .select_related("case")
        .order_by("case_id", "pk")
    )


def delete_expired(years: int | None = None) -> dict[str, int]:
    """Delete the documents past retention, a batch of cases at a time; the counts."""
    years = settings.RETENTION_YEARS if years is None else years
    expired = expired_documents(years)
    counts = {"documents": 0, "cases": 0, "bytes": 0}
    # Deleted rows leave the query, so each round takes the next cases until none is left.
    cases = expired.order_by("case_id").values_list("case_id", flat=True).distinct()
    while case_ids := list(cases[:BATCH_CASES]):
        batch = expired.filter(case_id__in=case_ids)
        for _case, documents in groupby(batch, key=lambda document: document.case_id):
            documents = list(documents)
            _delete_case_documents(documents, years)
            counts["cases"] += 1
            counts["documents"] += len(documents)
            counts["bytes"] += sum(document.size for document in documents)
    return counts


def _delete_case_documents(documents: list[CaseDocument], years: int) -> None:
    files = [document.file.name for document in documents]
    with transaction.atomic():
        # A timeline entry without touching the case's last activity: a case closed years ago
        # must not jump to the top of the lists.
        CaseEvent.objects.create(
            case_id=documents[0].case_id,
            kind=CaseEvent.Kind.SYSTEM,
            text=_("Dokumen dihapus karena masa retensi (%(years)s tahun): %(names)s")
            % {"years": years, "names": ", ".join(str(document) for document in documents)},
        )
        CaseDocument.objects.filter(pk__in=[document.pk for document in documents]).delete()
        # Files go once the rows are gone for good; a rollback keeps both.
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(names: Iterable[str]) -> None:
    storage = CaseDocument._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # The stored name holds no personal data (kasus/<id>/<timestamp>.<ext>).
            log.warning("Retention could not delete file %s", name)


@task
def apply_retention() -> dict[str, int]:
    """The daily task (core.schedule): delete what retention allows; the counts."""
    counts = delete_expired()
    if counts["documents"]:
        log.info("Retention deleted %s documents of %s cases", counts["documents"], counts["cases"])
    return counts
