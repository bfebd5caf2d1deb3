"""Pagination that stays fast on tables of millions of rows.

`KeysetPaginator` pages by the sort key instead of by OFFSET: the link to the next page carries
the key of the last row shown (`?setelah=…`), so page 2,000 is found through the index as quickly
as page 1, and a row inserted meanwhile never shifts or repeats a page. Its total is a capped count
(`capped_count`): exact up to 10,000 and shown as "lebih dari 10.000" beyond, so a huge result set
costs one bounded index scan instead of counting every row.

    page = KeysetPaginator(queryset, ("name", "pk"), 25).page(request.GET)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, models
from django.db.models import Count, Q

COUNT_CAP = 10_000
AFTER = "setelah"
BEFORE = "sebelum"
PROBE_WINDOW = 1000  # rows a Probe tests one by one
PROBE_FROM = 10_000  # estimated matches from which a Probe is tried first


@dataclass(frozen=True)
class CappedCount:
    """A row count, exact up to `cap`; `capped` when there are more."""

    value: int
    capped: bool

    def __int__(self) -> int:
        return self.value


def capped_count(queryset: models.QuerySet, cap: int | None = None) -> CappedCount:
    """Count at most cap + 1 rows (default COUNT_CAP): exact for small sets, bounded work for
    huge ones."""
    return capped_counts({None: queryset}, cap)[None]


def counts_by(queryset: models.QuerySet, key: str, rows: list) -> dict[Any, int]:
    """How many rows of `queryset` belong to each of `rows` (through the field `key`), in one
    query: per-row figures for a page's rows only, not for the whole list."""
    return dict(
        queryset.filter(**{f"{key}__in": rows}).values_list(key).annotate(n=Count("pk")).order_by()
    )


def capped_counts(
    querysets: Mapping[Any, models.QuerySet], cap: int | None = None
) -> dict[Any, CappedCount]:
    """`capped_count` of several querysets of one database in a single query."""
    cap = cap or COUNT_CAP
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        try:
            sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (a user without an area)
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 - compiled SQL
        params.extend(part_params)
    database = next(iter(querysets.values())).db
    with connections[database].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608 - compiled SQL
        found = cursor.fetchone()
    return {key: CappedCount(min(n, cap), n > cap) for key, n in zip(querysets, found, strict=True)}


def estimated_rows(queryset: models.QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows `queryset` returns (planning only, no execution);
    None on other databases."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.query.clone()
    query.clear_ordering(force=True, clear_default=True)  # order never changes the number
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


@dataclass(frozen=True)
class Probe:
    """A quicker road to a page of a list narrowed by a set-based filter that matches many rows.

    A search collects every match in the country, then sorts them to show the first 25: a word
    found in 50,000 names takes a second. When the filter is `expected` (PostgreSQL's estimate,
    `estimated_rows`) to match at least PROBE_FROM rows, the paginator first tests `condition`
    (the same filter, row by row) on the next PROBE_WINDOW rows of `unfiltered` (the list without
    the filter) in the list's order. A full page found that way is exact, since every row before
    it in that order was tested, and so is a shorter one when the window reached the end of the
    list; otherwise the list is read the usual way. The count then says only that there are
    more rows than a page shows."""

    unfiltered: models.QuerySet
    condition: Q
    expected: int | None


@dataclass
class KeysetPage:
    object_list: list
    count: CappedCount | None
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    keyset: bool = field(default=True, init=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return bool(self.next_cursor)

    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous() or not self.is_first


class KeysetPaginator:
    """Pages of `queryset` in the order `ordering` (field names, "-" for descending), which must
    end in a unique field (e.g. "pk") so that every row has exactly one place."""

    def __init__(
        self,
        queryset: models.QuerySet,
        ordering: Sequence[str],
        per_page: int,
        *,
        cap: int | None = None,
        rows: Callable[[list], None] | None = None,
        probe: Probe | None = None,
    ) -> None:
        self.queryset = queryset
        self.ordering = list(ordering)
        self.per_page = per_page
        self.cap = cap
        self.rows = rows  # called with the page's rows, e.g. to attach per-row figures
        self.probe = probe

    def page(self, params: Mapping[str, str]) -> KeysetPage:
        after = self._decode(params.get(AFTER, ""))
        before = None if after else self._decode(params.get(BEFORE, ""))
        count = None
        if before:
            reverse = [_flip(name) for name in self.ordering]
            rows, probed = self._rows(before, reverse)
            more_before = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            page = KeysetPage(rows, count, is_first=not more_before)
            page.previous_cursor = self.cursor(rows[0]) if more_before and rows else ""
            page.next_cursor = self.cursor(rows[-1]) if rows else ""
        else:
            rows, probed = self._rows(after, self.ordering)
            more_after = len(rows) > self.per_page
            rows = rows[: self.per_page]
            if not after and not more_after:  # the whole list fits on this page: no count
                count = CappedCount(len(rows), False)
            page = KeysetPage(rows, count, is_first=not after)
            page.next_cursor = self.cursor(rows[-1]) if more_after else ""
            page.previous_cursor = self.cursor(rows[0]) if after and rows else ""
        if probed:
            page.count = CappedCount(self.per_page, True)  # "more than the page shows"
        elif page.count is None:
            page.count = capped_count(self.queryset, self.cap)
        if self.rows and page.object_list:
            self.rows(page.object_list)
        return page

    def _rows(self, key: list | None, ordering: list[str]) -> tuple[list, bool]:
        """Up to a page and one row more beyond `key` in `ordering`, and whether the Probe
        found them."""
        probed = self._probe(key, ordering)
        if probed is not None:
            return probed, True
        queryset = self.queryset.order_by(*ordering)
        if key:
            queryset = queryset.filter(self._beyond(key, ordering))
        return list(queryset[: self.per_page + 1]), False

    def _probe(self, key: list | None, ordering: list[str]) -> list | None:
        """Up to a page and one row more found by the Probe, or None when it cannot tell: the
        window held too few matches and the list goes on beyond it."""
        probe = self.probe
        if probe is None or (probe.expected or 0) < PROBE_FROM:
            return None
        window = probe.unfiltered.order_by(*ordering)
        if key:
            window = window.filter(self._beyond(key, ordering))
        window = window.values("pk")[:PROBE_WINDOW]
        rows = list(
            probe.unfiltered.filter(probe.condition, pk__in=window).order_by(*ordering)[
                : self.per_page + 1
            ]
        )
        # Exact when a full page was found, or when the window reached the end of the list.
        if len(rows) > self.per_page or window.count() < PROBE_WINDOW:
            return rows
        return None

    def _beyond(self, key: list, ordering: list[str]) -> Q:
        """Rows after `key` in `ordering`: (a > x) or (a = x and b > y) or …, plus `a >= x`
        first, which lets the database start its index scan at the key."""
        alternatives = Q(pk__in=[])
        for position, name in enumerate(ordering):
            equal = {_field(prior): key[i] for i, prior in enumerate(ordering[:position])}
            step = "lt" if name.startswith("-") else "gt"
            alternatives |= Q(**equal, **{f"{_field(name)}__{step}": key[position]})
        first = ordering[0]
        start = Q(**{f"{_field(first)}__{'lte' if first.startswith('-') else 'gte'}": key[0]})
        return start & alternatives

    def cursor(self, row: models.Model) -> str:
        """The cursor of the page that starts after `row`."""
        values = []
        for name in self.ordering:
            value = _value(row, _field(name))
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        text = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _decode(self, token: str) -> list | None:
        """The key in a cursor, converted to the fields' types; None for anything malformed
        (a tampered or truncated link shows the first page, never an error)."""
        if not token or len(token) > 2000:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw.decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(values, list) or len(values) != len(self.ordering):
            return None
        key = []
        for name, value in zip(self.ordering, values, strict=True):
            model_field = _model_field(self.queryset.model, _field(name))
            if value is None or isinstance(value, (dict, list)):
                return None
            try:
                key.append(model_field.to_python(value))
            except (ValidationError, TypeError, ValueError, OverflowError):
                return None
            if isinstance(key[-1], int) and not -(2**63) <= key[-1] < 2**63:
                return None
        return key


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _field(name: str) -> str:
    return name.lstrip("-")


def _value(row: Any, path: str) -> Any:
    for part in path.split("__"):
        row = row.pk if part == "pk" else getattr(row, part)
    return row


def _model_field(model: type[models.Model], path: str) -> models.Field:
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    last = parts[-1]
    return model._meta.pk if last == "pk" else model._meta.get_field(last)
