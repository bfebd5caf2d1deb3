"""Spreadsheet exports that a spreadsheet program cannot turn against its user.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel and LibreOffice when the file is opened (CSV injection: `=HYPERLINK(...)` in a business
name). Every text cell of every export is neutralised with a leading apostrophe, the usual
"this is text" mark; imports take the mark off again (`unneutralise`), so an exported sheet
imports back unchanged. Numbers and dates stay numbers and dates.
"""

import csv
from collections.abc import Iterable
from io import BytesIO

import tablib
from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def neutralise_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    clean = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        clean.append([neutralise(cell) for cell in row])
    return clean


def dataset_response(dataset: tablib.Dataset, kind: str, filename: str) -> HttpResponse:
    """The dataset as a CSV or XLSX download, neutralised."""
    if kind not in CONTENT_TYPES:
        raise ValueError(kind)
    data = neutralise_dataset(dataset).export(kind)
    if isinstance(data, str):
        data = data.encode("utf-8-sig")  # Excel reads UTF-8 CSV with a BOM
    elif not isinstance(data, bytes):
        data = BytesIO(data).getvalue()
    return HttpResponse(
        data,
        content_type=CONTENT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{kind}"'},
    )


class _Line:
    """A file for csv.writer that hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(
    headers: list, rows: Iterable[list], filename: str
) -> StreamingHttpResponse:
    """A CSV download written row by row while it is sent, neutralised: an export of a whole
    country never sits in memory."""
    writer = csv.writer(_Line())

    def lines():
        yield ("\ufeff" + writer.writerow(headers)).encode()  # Excel reads UTF-8 with a BOM
        for row in rows:
            yield writer.writerow([neutralise(cell) for cell in row]).encode()

    return StreamingHttpResponse(
        lines(),
        content_type=CONTENT_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def neutralise_workbook(book) -> None:
    """Neutralise every text cell of an openpyxl workbook built by hand."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cell.value = neutralise(cell.value)
