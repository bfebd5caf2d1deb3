"""Reading the sheets people send: XLSX or CSV, forgiving where it is safe.

- The header is the first row that names a known column: title lines and blank rows above it
  are skipped, and so are blank rows below it.
- Text is trimmed. Cells keep their type (a number stays a number), so the identifier columns
  can refuse what a spreadsheet did to them (core.imports.IdentifierField).
- `parse_rupiah` and `parse_date` accept the forms people and spreadsheets write.
"""

import codecs
import contextvars
import csv
import datetime
import io
import re
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext as _

# The spreadsheet line of each data row (1-based) of the sheet being imported, for messages.
SHEET_LINES: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "sheet_lines", default=None
)

EXCEL_EPOCH = datetime.date(1899, 12, 30)
SERIAL_RANGE = (
    (datetime.date(1990, 1, 1) - EXCEL_EPOCH).days,
    (datetime.date(2100, 12, 31) - EXCEL_EPOCH).days,
)
MAX_ROWS = 50_000
# The templates' example row starts with this; a sheet sent back with it is refused.
EXAMPLE_MARK = "CONTOH: "
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


class SheetError(ValueError):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Sheet:
    dataset: tablib.Dataset
    lines: list[int]  # spreadsheet line of each data row
    header_line: int


def _cells_from_xlsx(content: bytes) -> list[list]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise SheetError(_("Berkas ini bukan XLSX yang bisa dibaca.")) from error
    try:
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 25:
                raise SheetError(
                    _("Lembar kerja lebih dari %(max)s baris; bagi menjadi beberapa berkas.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
        return rows
    finally:
        book.close()


def csv_encoding(file) -> str:
    """UTF-8 when the whole file decodes as it (a BOM is fine), else Windows-1252: what Excel
    on Windows saves. Reads the file in chunks and leaves it at its start."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    file.seek(0)
    try:
        while chunk := file.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        file.seek(0)


def _cells_from_csv(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value):
    return value.strip() if isinstance(value, str) else value


def read_sheet(content: bytes, filename: str, known: dict[str, str]) -> Sheet:
    """The first sheet of an XLSX (or a CSV) as a dataset; `known` maps each header people may
    write (in any case and spacing) to the column name the dataset gets."""
    if filename.lower().endswith(".xlsx"):
        rows = _cells_from_xlsx(content)
    elif filename.lower().endswith(".csv"):
        rows = _cells_from_csv(content)
    else:
        raise SheetError(_("Unggah berkas XLSX atau CSV (templat ada di halaman ini)."))
    names = {" ".join(alias.casefold().split()): name for alias, name in known.items()}
    for index, row in enumerate(rows[:20]):
        if any(isinstance(c, str) and " ".join(c.casefold().split()) in names for c in row):
            header_index = index
            break
    else:
        raise SheetError(
            _("Baris nama kolom tidak ditemukan. Pakai templat; kolom yang dikenal: %(known)s.")
            % {"known": ", ".join(sorted(set(known)))}
        )
    header = [_clean(c) for c in rows[header_index]]
    while header and blank(header[-1]):
        header.pop()
    headers = [
        names.get(" ".join(str(h).casefold().split()), h) if not blank(h) else "" for h in header
    ]
    twice = sorted({h for h in headers if h and headers.count(h) > 1})
    if twice:
        raise SheetError(
            _(
                "Kolom %(names)s muncul dua kali (mis. Kode desa dan village_code); "
                "hapus salah satu."
            )
            % {"names": ", ".join(twice)}
        )
    dataset = tablib.Dataset(headers=headers)
    lines = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if any(not blank(c) for c in row[len(headers) :]):
            raise SheetError(
                _(
                    "Baris %(line)s berisi data di kanan kolom terakhir yang bernama; beri nama "
                    "kolom itu atau hapus isinya."
                )
                % {"line": number}
            )
        cells = [_clean(c) for c in row[: len(headers)]]
        cells += [None] * (len(headers) - len(cells))
        if all(blank(c) for c in cells):
            continue
        dataset.append(cells)
        lines.append(number)
        if len(lines) > MAX_ROWS:
            raise SheetError(
                _("Lembar kerja lebih dari %(max)s baris; bagi menjadi beberapa berkas.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
    return Sheet(dataset=dataset, lines=lines, header_line=header_index + 1)


def parse_rupiah(value) -> int | None:
    """'Rp 1.500.000', 1500000 or 1500000.0 -> 1500000; None when blank."""
    if blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("bukan jumlah Rupiah"))
    if isinstance(value, (int, float)):
        if value != int(value) or value < 0:
            raise ValueError(_("jumlah Rupiah harus bilangan bulat, tanpa sen"))
        return int(value)
    text = re.sub(r"(?i)^\s*rp\.?\s*", "", str(value)).replace(" ", "")
    if re.fullmatch(r"\d+[.,]0+", text):  # 1500000.0 as text
        text = re.split(r"[.,]", text)[0]
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[.,]", "", text)
    if not text.isdigit():
        raise ValueError(
            _("%(value)s bukan jumlah Rupiah; tulis mis. 1500000 atau Rp 1.500.000")
            % {"value": value}
        )
    return int(text)


def parse_date(value) -> datetime.date | None:
    """ISO (2026-01-31), DD/MM/YYYY (31/01/2026, also with - or .), a spreadsheet date cell,
    or an Excel serial number (46053); None when blank."""
    if blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel date serial, from a number cell, between 1990 and 2100 (a bare year such as
        # 2025 would otherwise become a day in 1905).
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and value == int(value):
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(
            _("%(value)s bukan tanggal; tulis 2026-01-31 atau 31/01/2026") % {"value": value}
        )
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.date.fromisoformat(text)
        if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise ValueError(
            _("%(value)s bukan tanggal yang ada (bulan atau hari salah)") % {"value": text}
        ) from None
    raise ValueError(
        _("%(value)s bukan tanggal; tulis 2026-01-31 atau 31/01/2026") % {"value": text}
    )


def build_template(
    *,
    title: str,
    columns: dict[str, str],
    explain: dict[str, str],
    text_columns: set[str],
    lists: dict[str, list[str]],
    example: dict,
    rows: int = 2000,
) -> bytes:
    """An XLSX template: bold headers (`columns`: header -> column name), one example row,
    identifier columns formatted as text so Excel keeps every digit, a drop-down list for each
    column in `lists`, and a 'Petunjuk' sheet explaining each column."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    headers = list(columns)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([example.get(columns[h], "") for h in headers])
    choices = book.create_sheet("Pilihan")
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(header) + 2)
        column = columns[header]
        if column in text_columns:
            for row in range(2, rows + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        if column in lists:
            values = [str(v) for v in lists[column]] or [""]
            for i, value in enumerate(values, start=1):
                choices.cell(row=i, column=index, value=value)
            source = f"Pilihan!${letter}$1:${letter}${len(values)}"
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
            validation.add(f"{letter}2:{letter}{rows + 1}")
            sheet.add_data_validation(validation)
    guide = book.create_sheet("Petunjuk")
    guide.append(["Kolom", "Isi"])
    for header, column in columns.items():
        guide.append([header, explain.get(column, "")])
    guide.column_dimensions["A"].width = 32
    guide.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse_choice(value, choices, synonyms: dict[str, str] | None = None) -> str:
    """A choice by its key or its label, in any case ('' when blank)."""
    if blank(value):
        return ""
    text = str(value).strip().casefold()
    text = (synonyms or {}).get(text, text)
    for key, label in choices.choices:
        if text in (str(key).casefold(), str(label).casefold()):
            return key
    raise ValueError(
        _("%(value)s tidak dikenal; pilih: %(list)s.")
        % {"value": value, "list": ", ".join(str(label) for label in choices.labels)}
    )


def parse_yes_no(value) -> bool | None:
    """ya/tidak, y/n, 1/0, true/false (None when blank)."""
    if blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("ya", "y", "1", "true", "aktif", "yes"):
        return True
    if text in ("tidak", "t", "0", "false", "tidak aktif", "no", "n"):
        return False
    raise ValueError(_("%(value)s bukan ya atau tidak") % {"value": value})


def refuse_example(row, number: int) -> None:
    """The template's example row left in the sheet is an error, never imported data."""
    if any(isinstance(v, str) and v.startswith(EXAMPLE_MARK.strip()) for v in row.values()):
        raise ValueError(
            _("Baris %(row)s adalah baris contoh dari templat; hapus baris itu.") % {"row": number}
        )
