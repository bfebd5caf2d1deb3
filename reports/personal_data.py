"""One person's data under UU 27/2022, found by their NIK: what is stored about them (the right of
access), the document for the data subject, and erasure.

The NIK is used only inside a request to find record ids: the export task gets those ids, the
erasure record keeps counts and ids, neither keeps the NIK. On top of every app (it reads
businesses, cases, visits, cooperative activities and the history), so it lives in reports/.
"""

import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assistance.models import Case, CaseEvent, Visit
from businesses.models import Business
from cooperatives.models import Participation
from core.history import Entry, page_entries

from .figures import indonesian_date
from .models import EXPORT_KEPT_FOR, Erasure, PersonalDataExport
from .pdf import FONTS, office_name

log = logging.getLogger(__name__)

ERASED_NAME = "(dihapus)"
# What identifies the person on a business and on each of its history rows. The rows stay (the
# reports count businesses, their sector, gender and village); these values go.
IDENTIFYING = {
    "owner_nik": "",
    "owner_name": ERASED_NAME,
    "phone": "",
    "address": "",
    "owner_birth_date": None,
    "owner_address": "",
    "owner_rt": "",
    "owner_rw": "",
    "owner_village": None,
    # A home business's pin is the person's home.
    "latitude": None,
    "longitude": None,
}


@dataclass
class Dossier:
    """Everything stored about one person: their current businesses with products, cases (steps,
    timeline, documents), visits and cooperative activities, and the history rows that hold their
    data (of those businesses, and of businesses since deleted or passed on)."""

    businesses: list[Business]
    history: list[Entry]
    history_ids: list[int] = field(default_factory=list)

    @property
    def business_ids(self) -> list[int]:
        """Every business the person's data is or was on, deleted ones included."""
        ids = {b.pk for b in self.businesses} | {e.record.id for e in self.history}
        return sorted(ids)

    @property
    def documents(self) -> int:
        return sum(len(case.documents.all()) for b in self.businesses for case in b.cases.all())


def _person_history(nik: str, business_ids) -> QuerySet:
    """History rows carrying the person's data: those with their NIK, and those of their current
    businesses from before a NIK was entered."""
    return Business.history.filter(Q(owner_nik=nik) | Q(id__in=business_ids, owner_nik=""))


def find_ids(nik: str) -> tuple[list[int], list[int], list[int]] | None:
    """(the person's current businesses, every business their data is or was on, their history
    rows), by id; None when nothing stored holds this NIK. Two queries."""
    current = list(Business.objects.filter(owner_nik=nik).values_list("pk", flat=True))
    rows = list(_person_history(nik, current).values_list("history_id", "id"))
    if not current and not rows:
        return None
    every = sorted(set(current) | {business for _history, business in rows})
    return current, every, [history for history, _business in rows]


def find(nik: str) -> Dossier | None:
    """The person's dossier, or None when nothing stored holds this NIK."""
    ids = find_ids(nik)
    if ids is None:
        return None
    current, _every, history_ids = ids
    return dossier(current, history_ids)


def dossier(business_ids: list[int], history_ids: list[int]) -> Dossier:
    """The dossier of these records (the export task rebuilds it from the ids it was given)."""
    events = CaseEvent.objects.select_related("by", "step").order_by("at", "pk")
    cases = Case.objects.select_related("service", "step", "mentor__user").prefetch_related(
        Prefetch("events", queryset=events), "documents"
    )
    businesses = (
        Business.objects.filter(pk__in=business_ids)
        .select_related("village__district")
        .prefetch_related(
            "products",
            Prefetch("cases", queryset=cases.order_by("opened_on", "pk")),
            Prefetch("visits", queryset=Visit.objects.select_related("village", "mentor__user")),
            Prefetch(
                "cooperative_participations",
                queryset=Participation.objects.select_related("activity"),
            ),
        )
        .order_by("name", "pk")
    )
    records = list(
        Business.history.filter(history_id__in=history_ids)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return Dossier(
        list(businesses), page_entries(Business, records, within=history_ids), list(history_ids)
    )


@transaction.atomic
def erase(nik: str, *, by, reason: str) -> Erasure | None:
    """Anonymise the person's identifying fields on their businesses and in the history of those
    businesses; the rows stay, so every count the reports make stays the same. Bumps the
    businesses' version so that a form opened before cannot write the old values back. Their
    unfinished or undownloaded exports are deleted. None when nothing holds this NIK."""
    current = list(
        Business.objects.select_for_update().filter(owner_nik=nik).values_list("pk", flat=True)
    )
    history = _person_history(nik, current)
    business_ids = sorted(set(current) | set(history.values_list("id", flat=True)))
    if not business_ids:
        return None
    history_rows = history.update(**IDENTIFYING)
    Business.objects.filter(pk__in=current).update(
        **IDENTIFYING, version=F("version") + 1, updated_at=timezone.now()
    )
    _discard_exports(set(business_ids))
    return Erasure.objects.create(
        erased_by=by,
        reason=reason,
        business_ids=business_ids,
        businesses=len(current),
        history_rows=history_rows,
    )


def _discard_exports(business_ids: set[int]) -> None:
    kept = PersonalDataExport.objects.exclude(state=PersonalDataExport.State.GONE)
    for export in kept:
        if business_ids & set(export.business_ids):
            export.discard()


def prune_exports() -> int:
    """Delete the files of exports older than EXPORT_KEPT_FOR (downloaded ones are gone
    already); run hourly by the worker (prune_exports_task) and by `manage.py
    prune_personal_data`. A download of an older file is refused meanwhile."""
    old = PersonalDataExport.objects.exclude(state=PersonalDataExport.State.GONE).filter(
        requested_at__lt=timezone.now() - EXPORT_KEPT_FOR
    )
    count = 0
    for export in old:
        export.discard()
        count += 1
    return count


def render_pdf(found: Dossier, *, made_at=None) -> tuple[bytes, int]:
    """The document for the data subject and its number of pages (run by the worker)."""
    from weasyprint import HTML  # imported here: only the worker needs it

    made_at = timezone.localtime(made_at or timezone.now())
    with translation.override("id"):
        html = render_to_string(
            "reports/personal_data_pdf.html",
            {
                "dossier": found,
                "office_name": office_name(),
                "made_at": f"{indonesian_date(made_at.date())} pukul {made_at:%H.%M} WIB",
                "fonts": FONTS.as_uri(),
            },
        )
    document = HTML(string=html, base_url=str(FONTS)).render()
    return document.write_pdf(), len(document.pages)


def make_export(export: PersonalDataExport) -> PersonalDataExport:
    export.state = PersonalDataExport.State.RUNNING
    export.save(update_fields=["state"])
    try:
        data, pages = render_pdf(dossier(export.business_ids, export.history_ids))
        export.file.save(f"data-pribadi-{export.pk}.pdf", ContentFile(data), save=False)
    except Exception as error:
        log.exception("Personal data export %s failed", export.pk)  # ids only, never the NIK
        export.state = PersonalDataExport.State.FAILED
        export.error = type(error).__name__
        export.finished_at = timezone.now()
        export.save(update_fields=["state", "error", "finished_at"])
        return export
    export.size, export.pages = len(data), pages
    export.state = PersonalDataExport.State.DONE
    export.finished_at = timezone.now()
    export.save()
    return export


@task
def prune_exports_task() -> int:
    """Hourly (core.schedule): a copy nobody fetched is gone within a day even when nobody
    opens the personal-data pages."""
    return prune_exports()


@task
def make_export_task(export_id: int) -> str:
    return make_export(PersonalDataExport.objects.get(pk=export_id)).state
