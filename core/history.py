"""Browsing the change history (django-simple-history) of every tracked model: who, when, what.

Generic over the models that declare `history = HistoricalRecords()`, so this ground-floor module
knows none of the apps above it. Diffs are computed in Python from the rows already fetched, with
related objects resolved in one query per related model: a page costs a constant number of queries.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from .validators import mask_identifier

HIDDEN_FIELDS = {"version", "updated_at", "created_at"}


def masked_fields(model: type[models.Model]) -> set[str]:
    """Fields whose values are personal data: a model lists them in `history_masked_fields`;
    a change to them is shown, the values masked."""
    return set(getattr(model, "history_masked_fields", ()))


@dataclass
class Change:
    label: str
    old: Any
    new: Any
    field: models.Field


@dataclass
class Entry:
    record: Any
    model_label: str
    changes: list[Change] = field(default_factory=list)

    @property
    def object_label(self) -> str:
        # From the row itself: building the instance would cost a query per row.
        return getattr(self.record, "name", "") or f"#{self.record.id}"


def tracked_models() -> dict[str, type[models.Model]]:
    """'app_label.model_name' -> model, for every model with a history."""
    tracked = {}
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute and not model.__name__.startswith("Historical"):
            tracked[model._meta.label_lower] = model
    return tracked


def _fields(history_model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in history_model._meta.concrete_fields
        if not f.name.startswith("history_") and f.name not in HIDDEN_FIELDS and f.name != "id"
    ]


def _diff(record: Any, previous: Any, fields: list[models.Field]) -> list[Change]:
    changes = []
    for f in fields:
        new = getattr(record, f.attname)
        old = getattr(previous, f.attname) if previous is not None else None
        if previous is not None and old == new:
            continue
        if previous is None and new in (None, ""):
            continue
        changes.append(Change(f.verbose_name, old, new, f))
    return changes


def _hide_date(value) -> str:
    """A date of birth says too much even in part: only whether there was one."""
    return "••••-••-••" if value else ""


def _resolve(entries: list[Entry], masked: set[str]) -> None:
    """Show related objects and choices by name, masked fields masked."""
    wanted: dict[type[models.Model], set] = {}
    for entry in entries:
        for change in entry.changes:
            f = change.field
            if f.is_relation and f.related_model:
                wanted.setdefault(f.related_model, set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
    names = {
        model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}
        for model, pks in wanted.items()
    }
    for entry in entries:
        for change in entry.changes:
            f = change.field
            if f.name in masked:
                hide = _hide_date if isinstance(f, models.DateField) else mask_identifier
                change.old, change.new = hide(change.old), hide(change.new)
            elif f.is_relation and f.related_model:
                lookup = names.get(f.related_model, {})
                change.old = lookup.get(change.old, change.old)
                change.new = lookup.get(change.new, change.new)
            elif f.choices:
                choices = dict(f.flatchoices)
                change.old = choices.get(change.old, change.old)
                change.new = choices.get(change.new, change.new)


def object_history(model: type[models.Model], pk: int) -> list[Entry]:
    """Every recorded version of one object, newest first, each with what it changed."""
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    fields = _fields(model.history.model)
    entries, previous = [], None
    for record in records:
        entries.append(
            Entry(
                record,
                model._meta.verbose_name,
                _diff(record, previous, fields),
            )
        )
        previous = record
    _resolve(entries, masked_fields(model))
    return entries[::-1]


def page_entries(
    model: type[models.Model], records: list, within: Collection[int] | None = None
) -> list[Entry]:
    """Entries for one page of history rows (newest first) of `model`, with their diffs.
    `within` (history ids) keeps each diff to those rows: a row whose predecessor is outside
    (someone else's data, e.g. the business's previous owner) shows only its own values."""
    if not records:
        return []
    fields = _fields(model.history.model)
    ids = {r.id for r in records}
    # Each row's predecessor: the latest earlier row of the same object. One query for the page.
    earlier = model.history.filter(
        id__in=ids, history_date__lt=max(r.history_date for r in records)
    )
    if within is not None:
        earlier = earlier.filter(history_id__in=within)
    earlier = list(earlier.order_by("id", "history_date", "history_id"))
    by_object: dict[Any, list] = {}
    for row in earlier:
        by_object.setdefault(row.id, []).append(row)
    entries = []
    for record in records:
        previous = None
        for row in by_object.get(record.id, []):
            if (row.history_date, row.history_id) < (record.history_date, record.history_id):
                previous = row
        entries.append(
            Entry(
                record,
                model._meta.verbose_name,
                _diff(record, previous, fields),
            )
        )
    _resolve(entries, masked_fields(model))
    return entries
