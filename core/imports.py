"""Every spreadsheet import (django-import-export): all rows or none, and never a quiet success.

- `AllOrNothingResource`: a sheet with any bad row writes nothing; the result names every bad row
  and column. A header row that is not the resource's (a title line above it, a misspelt column)
  refuses the whole sheet, and so does a sheet that would write nothing.
- `IdentifierField`: a column holding an identifier (NIK, NIB, PIRT, phone, area and registry
  codes). Spreadsheets turn such values into numbers (losing leading zeros and every digit past the
  15th, or writing `1,23457E+12`), so a number cell is refused, whatever it holds, and so are
  characters the identifier cannot contain. What an identifier must look like beyond that is its
  app's rule, passed in as `check`.
- `ImportExportAdminMixin`: the admin side: importing needs the add and change permissions, and a
  confirmed import that failed is reported as a failure.
"""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.results import Error, Result, RowResult

from .exports import neutralise_dataset, unneutralise
from .sheets import SHEET_LINES, blank

_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE][+-]?\d+$")
WRITING = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, RowResult.IMPORT_TYPE_DELETE)


class ImportRefused(Exception):
    """The sheet as a whole cannot be imported (its header, or nothing to write)."""


class ErrorResult(Error):
    """A row or sheet error; a refusal is a message for the user, not a traceback."""

    @property
    def traceback(self) -> str:
        if isinstance(self.error, ImportRefused):
            return ""
        return super().traceback


def is_number_cell(value) -> bool:
    """A value the spreadsheet stored as a number (XLSX numeric cells arrive as int/float)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def is_date_cell(value) -> bool:
    """A value the spreadsheet turned into a date or time (1-2 becomes 2 January)."""
    return isinstance(value, (datetime.date, datetime.time))


def sheet_line(number: int) -> int:
    """The spreadsheet line of data row `number` (1-based)."""
    lines = SHEET_LINES.get()
    if lines and 0 < number <= len(lines):
        return lines[number - 1]
    return number + 1


class IdentifierField(fields.Field):
    """A column holding an identifier: text of digits (and the listed separators), never a number.

    `separators`: characters allowed between the digits (`None`: any text, e.g. a certificate
    number with letters; only number cells are refused). `check`: the identifier's own rule, a
    function returning the cleaned value or raising ValidationError. `mask`: how the value is
    shown in exports and import previews (e.g. the NIK for a user who may not see it).
    """

    def __init__(
        self,
        *args,
        separators: str | None = "",
        check: Callable[[str], str] | None = None,
        mask: Callable[[str], str] | None = None,
        **kwargs,
    ) -> None:
        if len(args) < 3:
            kwargs.setdefault("widget", widgets.CharWidget())
        super().__init__(*args, **kwargs)
        self.separators = separators
        self.check = check
        self.mask = mask

    def clean(self, row, **kwargs):
        value = row.get(self.column_name)
        number = kwargs.get("row_number")
        if is_number_cell(value):
            raise ValueError(
                self._where(number)
                + _(
                    "sel berisi angka (%(value)s), bukan teks; spreadsheet bisa menghapus angka 0 "
                    "di depan dan digit setelah digit ke-15. Format kolom %(column)s sebagai teks, "
                    "lalu ketik ulang nilainya."
                )
                % {"value": value, "column": self.column_name}
            )
        if is_date_cell(value):
            raise ValueError(
                self._where(number)
                + _(
                    "spreadsheet mengubah nilainya menjadi tanggal (%(value)s). Format kolom "
                    "%(column)s sebagai teks, lalu ketik ulang nilainya."
                )
                % {"value": value, "column": self.column_name}
            )
        if blank(value):
            # Blank identifiers stay blank; other columns go through their widget as usual.
            return super().clean(row, **kwargs) if self.widget_is_relation else ""
        text = str(value).strip()
        if _SCIENTIFIC.search(text):
            raise ValueError(
                self._where(number)
                + _(
                    "%(value)s ditulis spreadsheet sebagai notasi ilmiah; digit-digitnya sudah "
                    "hilang. Format kolom %(column)s sebagai teks, lalu ketik ulang nilainya dari "
                    "dokumen aslinya."
                )
                % {"value": text, "column": self.column_name}
            )
        if self.separators is not None:
            allowed = rf"[\d{re.escape(self.separators)}]+" if self.separators else r"\d+"
            if not re.fullmatch(allowed, text):
                raise ValueError(
                    self._where(number)
                    + _(
                        "%(value)s bukan nomor yang sah: hanya angka%(separators)s yang boleh. "
                        "Bila spreadsheet mengubahnya (mis. 1,23457E+12), format kolom %(column)s "
                        "sebagai teks lalu ketik ulang nilainya."
                    )
                    % {
                        "value": text,
                        "column": self.column_name,
                        "separators": _(" dan %(chars)s") % {"chars": " ".join(self.separators)}
                        if self.separators.strip()
                        else "",
                    }
                )
        if self.check is not None:
            try:
                text = self.check(text)
            except ValidationError as error:
                raise ValueError(self._where(number) + " ".join(error.messages)) from None
        if self.widget_is_relation:
            return super().clean({**row, self.column_name: text}, **kwargs)
        return text

    @property
    def widget_is_relation(self) -> bool:
        return hasattr(self.widget, "model")

    def _where(self, number: int | None) -> str:
        if number is None:
            return _("Kolom %(column)s: ") % {"column": self.column_name}
        # Row numbers count data rows (as the import page lists them); the header is line 1
        # unless the sheet reader found it lower (core.sheets.SHEET_LINES).
        return _("Baris %(row)s (baris %(line)s di spreadsheet), kolom %(column)s: ") % {
            "row": number,
            "line": sheet_line(number),
            "column": self.column_name,
        }

    def export(self, instance, **kwargs):
        value = super().export(instance, **kwargs)
        return self.mask(value) if self.mask and value else value


class AllOrNothingResource(resources.ModelResource):
    """A sheet with any bad row writes nothing; the result names every bad row and column.

    The admin already imports this way; this makes it the default wherever a resource is used
    (commands, tests, later views). On top of that the sheet is refused as a whole when its
    header is not this resource's, and when it would write nothing.
    """

    def import_data(self, dataset, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        kwargs.setdefault("use_transactions", True)
        try:
            self.check_headers(dataset)
        except ImportRefused as error:
            if kwargs.get("raise_errors"):
                raise
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            result.append_base_error(ErrorResult(error))
            return result
        return super().import_data(dataset, **kwargs)

    def get_error_result_class(self):
        return ErrorResult

    def check_data(self, dataset, **kwargs):
        """Validate every row without writing anything, outside a transaction (so that a
        progress report written meanwhile is visible). import_data's dry run would insert
        each row inside a transaction and roll back: twice the work."""
        try:
            self.check_headers(dataset)
        except ImportRefused as error:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            result.append_base_error(ErrorResult(error))
            return result
        return self.import_data_inner(
            dataset,
            dry_run=True,
            raise_errors=False,
            using_transactions=False,
            collect_failed_rows=False,
            **kwargs,
        )

    def export(self, queryset=None, **kwargs):
        """Numbers and dates as such (never "5.700.000" as text), text cells neutralised
        against formula injection (core.exports)."""
        kwargs["force_native_type"] = True
        return neutralise_dataset(super().export(queryset, **kwargs))

    def before_import_row(self, row, **kwargs) -> None:
        # A sheet this app exported marks formula-like text with an apostrophe: take it off.
        for key, value in row.items():
            row[key] = unneutralise(value)
        super().before_import_row(row, **kwargs)

    def known_columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields() if f.column_name]

    def check_headers(self, dataset) -> None:
        """Refuse a header row that is not ours; accept known names in any case and spacing.

        A title line above the header makes the title the "header" and the real header a data
        row: nothing matches, every row would be skipped, and the import would look fine.
        """
        known = {name.casefold(): name for name in self.known_columns()}
        listing = ", ".join(self.known_columns())
        headers = list(dataset.headers or [])
        unknown, renamed = [], []
        for index, header in enumerate(headers):
            if blank(header):
                if any(not blank(row[index]) for row in dataset):
                    unknown.append(_("(tanpa nama, kolom ke-%(n)s)") % {"n": index + 1})
                renamed.append(header)
                continue
            name = known.get(str(header).strip().casefold())
            if name is None:
                unknown.append(str(header))
            renamed.append(name or header)
        if not any(name in known.values() for name in renamed):
            raise ImportRefused(
                _(
                    "Baris pertama lembar kerja bukan baris nama kolom: tidak ada kolom yang "
                    "dikenal. Hapus baris judul atau baris kosong di atas nama kolom. Kolom yang "
                    "dikenal: %(known)s."
                )
                % {"known": listing}
            )
        if unknown:
            raise ImportRefused(
                _(
                    "Kolom tidak dikenal: %(unknown)s. Perbaiki nama kolomnya atau hapus kolom "
                    "itu; tidak ada yang diimpor. Kolom yang dikenal: %(known)s."
                )
                % {"unknown": ", ".join(unknown), "known": listing}
            )
        dataset.headers = renamed

    def after_import(self, dataset, result: Result, **kwargs) -> None:
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        if not any(result.totals[kind] for kind in WRITING):
            raise ImportRefused(
                _(
                    "Tidak ada yang diimpor: dari %(rows)s baris, tidak satu pun yang baru atau "
                    "berubah. Periksa apakah lembar kerjanya benar dan berisi data."
                )
                % {"rows": result.total_rows}
            )


class ImportExportAdminMixin(ImportExportMixin):
    """Import and export in the admin with the all-or-nothing rules reported honestly."""

    def has_import_permission(self, request) -> bool:
        # Importing creates and changes rows: it needs both permissions (the library allows
        # every admin user by default).
        return self.has_add_permission(request) and self.has_change_permission(request)

    def export_action(self, request):
        # The export page filters like the list it came from, reading the query string; the
        # library lets a parameter that is no filter (a hand-made URL) escape as a 500.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters as error:
            raise BadRequest("Unknown filter in the export URL") from error

    def process_result(self, result: Result, request):
        if result.has_errors() or result.has_validation_errors():
            # The confirm step found errors the preview did not (the data changed meanwhile):
            # everything was rolled back; say so instead of "Import finished".
            for error in result.base_errors:
                messages.error(request, str(error.error))
            if result.has_validation_errors() or result.row_errors():
                messages.error(
                    request,
                    _(
                        "Impor gagal: %(count)s baris bermasalah; tidak ada yang disimpan. "
                        "Unggah lagi lembar kerjanya untuk melihat rinciannya."
                    )
                    % {"count": len(result.invalid_rows) + len(result.row_errors())},
                )
            info = self.get_model_info()
            return HttpResponseRedirect(
                reverse(f"admin:{info[0]}_{info[1]}_import", current_app=self.admin_site.name)
            )
        return super().process_result(result, request)

    def add_success_message(self, result: Result, request) -> None:
        messages.success(
            request,
            _("Impor selesai: %(new)s baru, %(updated)s diubah, %(deleted)s dihapus (%(what)s).")
            % {
                "new": result.totals[RowResult.IMPORT_TYPE_NEW],
                "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
                "deleted": result.totals[RowResult.IMPORT_TYPE_DELETE],
                "what": self.model._meta.verbose_name_plural,
            },
        )


class ImportExportAdmin(ImportExportAdminMixin, admin.ModelAdmin):
    """`ImportExportModelAdmin` with the rules above."""
