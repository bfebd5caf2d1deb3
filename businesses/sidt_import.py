"""Importing a SIDT KUMKM extract (the 49 columns of businesses/sidt.py) into the registry.

A regency's extract has a few hundred thousand rows, so this does not go through
django-import-export (a dataset in memory and a query per row): the file is read as a stream
and handled 2,000 rows at a time, with a few queries per batch and bulk writes whose history
records name the user and the file. It plugs into the import page's pipeline as a SheetKind
`importer` (core/sheet_imports.py): a background check, the preview, the confirmation and a
background import in one transaction (all or nothing).

Rules (README "### SIDT KUMKM"):
- Rows whose business lies outside the home regency are counted and skipped.
- A row matches a business by `id_data_badan_usaha` (sidt_id); else by the owner's NIK; else by
  the business name within its village. The last two "akan ditautkan": the preview lists them
  and the user confirms before the import links them (sets the SIDT id).
- A blank cell never erases a stored value; text is compared ignoring case and spacing.
- Conflicts, field by field: a field the app changed after the row's `updated_at` (an edit, a
  form, another sheet: any history record not written by a SIDT import) is kept and listed.
- Bad input refuses the whole file: a header that is not SIDT's, a missing column, a mangled
  NIK, an unknown village, any bad value, each by row and column.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import batched

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.exports import unneutralise
from core.imports import ImportRefused, is_number_cell
from core.sheet_imports import Outcome
from core.sheets import (
    blank,
    build_template,
    csv_encoding,
    parse_choice,
    parse_date,
    parse_rupiah,
    parse_yes_no,
)
from core.validators import normalize_phone
from villages.models import Village, home_regency
from villages.sheets import place_key

from .models import (
    MIN_START_YEAR,
    WORKER_FIELDS,
    Business,
    Education,
    Gender,
    KbliCategory,
    LegalStatus,
    Scale,
    Sector,
)
from .sidt import AREA_LEVELS, COLUMN_NAMES, FIELD_OF
from .validators import (
    LATITUDES,
    LONGITUDES,
    birth_date_errors,
    clean_digits,
    clean_nik,
    mask_nik,
    may_view_nik,
    nik_gender,
    start_errors,
    validate_rt_rw,
)

# The change reason of every history record a SIDT import writes. Not translated: the conflict
# rule tells the import's own records from the app's by this prefix.
REASON_PREFIX = "Impor SIDT: "
CHUNK = 2000
BATCH = 1000
SHOWN = 200  # changes, conflicts and links listed in the preview
MAX_PROBLEMS = 1000
HEADER_SEARCH = 20
TEXT_LIMITS = {
    "sidt_id": 64,
    "owner_name": 150,
    "name": 150,
    "owner_address": 255,
    "address": 255,
    "main_activity": 255,
    "main_product": 150,
}
REQUIRED = {"owner_name", "name"}
MASKED = "•"
GENDER_WORDS = {"laki-laki": "L", "laki laki": "L", "pria": "L", "wanita": "P", "1": "L", "2": "P"}
EDUCATION_WORDS = {
    "tidak sekolah": "tidak_sekolah",
    "belum sekolah": "tidak_sekolah",
    "sd": "sd",
    "smp": "smp",
    "sma": "sma",
    "smk": "sma",
    "d1": "diploma",
    "d2": "diploma",
    "d3": "diploma",
    "d4": "s1",
}
SCALE_WORDS = {"usaha mikro": "mikro", "usaha kecil": "kecil", "usaha menengah": "menengah"}
LEGAL_WORDS = {"tidak berbadan usaha": "perorangan", "perseorangan": "perorangan"}
# Every field a row can set, as Business attributes (areas as their foreign key ids).
FIELDS = tuple(
    dict.fromkeys(
        f"{name}_id" if name in ("village", "owner_village") else name
        for name in FIELD_OF.values()
        if name
    )
)
_SPACES = re.compile(r"\s+")


def squash(value) -> str:
    """Text with runs of spaces made one and the ends trimmed."""
    return _SPACES.sub(" ", str(value)).strip() if value is not None else ""


def _same(old, new) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return squash(old).casefold() == squash(new).casefold()
    return old == new


# Reading --------------------------------------------------------------------------------------


def _header_index(rows: list[list]) -> int:
    known = set(COLUMN_NAMES)
    for index, row in enumerate(rows):
        if any(isinstance(c, str) and c.strip().casefold() in known for c in row):
            return index
    raise ImportRefused(
        _(
            "Ini bukan ekstrak SIDT: baris nama kolomnya tidak ditemukan. Ekstrak SIDT memuat "
            "49 kolom: %(columns)s."
        )
        % {"columns": ", ".join(COLUMN_NAMES)}
    )


def check_header(header: list) -> list[str]:
    """The header as SIDT column names; refuses a header that is not SIDT's."""
    names = [squash(h).casefold() if h is not None else "" for h in header]
    while names and not names[-1]:
        names.pop()
    unknown = [n or _("(tanpa nama)") for n in names if n not in COLUMN_NAMES]
    missing = [c for c in COLUMN_NAMES if c not in names]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    problems = []
    if unknown:
        problems.append(
            _("Kolom ini bukan kolom SIDT: %(unknown)s.") % {"unknown": ", ".join(unknown)}
        )
    if missing:
        problems.append(_("Kolom SIDT tidak ada: %(missing)s.") % {"missing": ", ".join(missing)})
    if problems:
        raise ImportRefused(" ".join([*problems, _("Tidak ada yang diimpor.")]))
    if twice:
        raise ImportRefused(_("Kolom %(names)s muncul dua kali.") % {"names": ", ".join(twice)})
    return names


@dataclass
class Reader:
    """The data rows of an extract, one at a time: (row number, sheet line, cells by column)."""

    rows: Iterator[tuple[int, int, dict]]
    done: Callable[[], float]  # the share of the file read so far (0–1)


def _csv_cells(upload) -> tuple[Iterator[list], Callable[[], float]]:
    upload = getattr(upload, "file", upload)  # the real file under Django's File
    size = max(1, upload.seek(0, io.SEEK_END))
    upload.seek(0)
    encoding = csv_encoding(upload)
    sample = upload.read(8192).decode(encoding, errors="replace")
    upload.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    text = io.TextIOWrapper(upload, encoding=encoding, errors="replace", newline="")

    def done() -> float:
        # Held here: a TextIOWrapper closes the file under it when it is freed.
        return 1.0 if text.closed or upload.closed else upload.tell() / size

    return csv.reader(text, dialect), done


def _xlsx_cells(upload) -> tuple[Iterator[list], Callable[[], float]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportRefused(_("Berkas ini bukan XLSX yang bisa dibaca.")) from error
    sheet = book.worksheets[0]
    total = max(1, sheet.max_row or 1)
    seen = [0]

    def cells():
        for row in sheet.iter_rows(values_only=True):
            seen[0] += 1
            yield list(row)
        book.close()

    return cells(), lambda: seen[0] / total


def read_extract(upload, filename: str) -> Reader:
    if filename.lower().endswith(".xlsx"):
        cells, done = _xlsx_cells(upload)
    elif filename.lower().endswith(".csv"):
        cells, done = _csv_cells(upload)
    else:
        raise ImportRefused(_("Unggah ekstrak SIDT sebagai berkas CSV atau XLSX."))
    head = []
    for row in cells:
        head.append(row)
        if len(head) >= HEADER_SEARCH:
            break
    index = _header_index(head)
    names = check_header(head[index])

    def rows():
        number = 0
        line = index + 1
        for row in _chain(head[index + 1 :], cells):
            line += 1
            if all(blank(c) for c in row):
                continue
            if any(not blank(c) for c in row[len(names) :]):
                raise ImportRefused(
                    _("Baris %(line)s berisi data di kanan kolom terakhir.") % {"line": line}
                )
            number += 1
            # A sheet this app exported marks formula-like text with an apostrophe: taken off.
            values = [
                unneutralise(c.strip()) if isinstance(c, str) else c for c in row[: len(names)]
            ]
            values += [None] * (len(names) - len(values))
            yield number, line, dict(zip(names, values, strict=True))

    return Reader(rows(), done)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


# Areas ----------------------------------------------------------------------------------------


class Areas:
    """The home regency's kecamatan and villages by code or name, loaded once."""

    def __init__(self, user) -> None:
        regency = home_regency()
        self.regency_code = settings.HOME_REGENCY_CODE
        self.regency_keys = {self.regency_code, self.regency_code.replace(".", "")}
        if regency is not None:
            name = place_key(regency.name)
            self.regency_keys |= {name, re.sub(r"^(kabupaten|kab\.?|kota)\s+", "", name)}
        villages = list(Village.objects.in_home_regency().select_related("district"))
        self.by_code: dict[str, Village] = {}
        self.districts: dict[str, int] = {}
        self.by_name: dict[tuple[int, str], list[Village]] = {}
        for village in villages:
            self.by_code[village.code] = village
            self.by_code[village.code.replace(".", "")] = village
            district = village.district
            for key in (district.code, district.code.replace(".", ""), place_key(district.name)):
                self.districts[key] = district.pk
            self.by_name.setdefault((district.pk, place_key(village.name)), []).append(village)
        self.names = {v.pk: v.name for v in villages}
        self.editable = set(
            Village.objects.editable_by(user).in_home_regency().values_list("pk", flat=True)
        )

    def in_home(self, values: dict, prefix: str) -> tuple[bool, str]:
        """Whether the area columns (`_usaha` or `_pengusaha`) name the home regency, and the
        regency as written."""
        written = squash(values.get(f"kab_{prefix}"))
        if not written:
            village = squash(values.get(f"kel_{prefix}")).replace(".", "")
            return not village.isdigit() or village.startswith(
                self.regency_code.replace(".", "")
            ), ""
        key = place_key(written)
        key = re.sub(r"^(kabupaten|kab\.?)\s+", "", key)
        return key in self.regency_keys or written.replace(".", "") in self.regency_keys, written

    def village(self, values: dict, prefix: str) -> Village:
        kel, kec = squash(values.get(f"kel_{prefix}")), squash(values.get(f"kec_{prefix}"))
        if not kel:
            raise ValueError(_("isi desa/kelurahan (nama atau kode)."))
        found = self.by_code.get(kel) or self.by_code.get(kel.replace(".", ""))
        if found:
            return found
        district = self.districts.get(kec) or self.districts.get(kec.replace(".", ""))
        district = district or self.districts.get(
            re.sub(r"^(kecamatan|kec\.?)\s+", "", place_key(kec))
        )
        if district is None:
            raise ValueError(
                _("kecamatan %(name)s tidak ada di kabupaten ini.") % {"name": kec or "-"}
            )
        found = self.by_name.get((district, place_key(kel)), [])
        if len(found) != 1:
            raise ValueError(
                _("desa/kelurahan %(name)s tidak ada di Kecamatan %(district)s.")
                % {"name": kel, "district": kec}
            )
        return found[0]


# Values ---------------------------------------------------------------------------------------


def _text(field_name: str):
    def parse(value):
        text = squash(value)
        limit = TEXT_LIMITS[field_name]
        if len(text) > limit:
            raise ValueError(_("paling panjang %(n)s huruf.") % {"n": limit})
        return text or None

    return parse


def _nik(value):
    if is_number_cell(value):
        raise ValueError(
            _(
                "sel berisi angka (%(value)s), bukan teks; spreadsheet sudah menghapus digit NIK. "
                "Format kolom sebagai teks, lalu ketik ulang nilainya."
            )
            % {"value": value}
        )
    if blank(value):
        return None
    text = str(value).strip()
    if MASKED in text:
        return text  # a masked NIK: kept only where it matches the stored one (see _diff)
    try:
        return clean_nik(text)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def _digits(label: str, width: int, pad: bool = False):
    """A code of `width` digits; a number cell that lost its leading zeros gets them back
    (KBLI 01111 written as 1111), which is safe only because the width is fixed."""

    def parse(value):
        if blank(value):
            return None
        text = str(int(value)) if is_number_cell(value) else str(value).strip()
        try:
            text = clean_digits(text, label)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        if len(text) > width:
            raise ValueError(
                _("%(label)s paling banyak %(n)s angka.") % {"label": label, "n": width}
            )
        return text.zfill(width) if pad else text

    return parse


def _rt_rw(value):
    if blank(value):
        return None
    text = str(int(value)) if is_number_cell(value) else str(value).strip()
    if text.isdigit():
        text = text.zfill(3)[-3:] if len(text) <= 3 else text
    try:
        validate_rt_rw(text)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return text


def _phone(value):
    if blank(value):
        return None
    text = str(int(value)) if is_number_cell(value) else str(value).strip()
    if text.startswith("8"):  # a spreadsheet dropped the leading 0 of 08…
        text = "0" + text
    try:
        return normalize_phone(text)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def _choice(choices, words: dict | None = None):
    def parse(value):
        if blank(value):
            return None
        text = squash(value).casefold()
        return parse_choice((words or {}).get(text, text), choices) or None

    return parse


def _category(value):
    """A KBLI category by its letter or its label ("C" or "C Industri pengolahan")."""
    if blank(value):
        return None
    text = squash(value)
    if len(text) == 1 or text[1] == " ":
        text = text[0].upper()
    return parse_choice(text, KbliCategory)


def _number(low: int, high: int):
    def parse(value):
        if blank(value):
            return None
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("%(value)s bukan angka.") % {"value": value}) from None
        if number != int(number) or not low <= number <= high:
            raise ValueError(
                _("harus bilangan bulat %(low)s–%(high)s.") % {"low": low, "high": high}
            )
        return int(number)

    return parse


def _coordinate(low: int, high: int):
    def parse(value):
        if blank(value):
            return None
        try:
            number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.000001"))
        except InvalidOperation:
            raise ValueError(_("%(value)s bukan angka.") % {"value": value}) from None
        if not low <= number <= high:
            raise ValueError(
                _("di luar Indonesia (%(low)s–%(high)s).") % {"low": low, "high": high}
            )
        return number

    return parse


def parse_moment(value) -> datetime.datetime | None:
    """SIDT's pulled_at/updated_at: a datetime cell, ISO, or a date (midnight)."""
    if blank(value):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value).strip().replace("/", "-"))
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


PARSERS: dict[str, Callable] = {
    "sidt_id": _text("sidt_id"),
    "owner_nik": _nik,
    "owner_name": _text("owner_name"),
    "nib_number": _digits("NIB", 20),
    "owner_gender": _choice(Gender, GENDER_WORDS),
    "owner_disability": parse_yes_no,
    "owner_birth_date": parse_date,
    "owner_education": _choice(Education, EDUCATION_WORDS),
    "phone": _phone,
    "owner_address": _text("owner_address"),
    "owner_rt": _rt_rw,
    "owner_rw": _rt_rw,
    "name": _text("name"),
    "main_activity": _text("main_activity"),
    "main_product": _text("main_product"),
    "kbli_category": _category,
    "kbli": _digits("KBLI", 5, pad=True),
    "legal_status": _choice(LegalStatus, LEGAL_WORDS),
    "scale_reported": _choice(Scale, SCALE_WORDS),
    "founding_capital": parse_rupiah,
    "start_month": _number(1, 12),
    "start_year": _number(MIN_START_YEAR, 2100),
    "annual_turnover": parse_rupiah,
    "assets": parse_rupiah,
    "address": _text("address"),
    "rt": _rt_rw,
    "rw": _rt_rw,
    "latitude": _coordinate(*LATITUDES),
    "longitude": _coordinate(*LONGITUDES),
    **{name: _number(0, 10000) for name in WORKER_FIELDS},
}
COLUMN_OF = {name: column for column, name in FIELD_OF.items() if name}


def sector_for(kbli: str | None, category: str | None) -> str:
    """A new business's sector (not a SIDT column) from its KBLI code or category."""
    division = int(kbli[:2]) if kbli else None
    by_division = {10: Sector.FOOD, 11: Sector.FOOD, 56: Sector.FOOD, 3: Sector.FISHERY}
    by_division |= {13: Sector.FASHION, 14: Sector.FASHION, 15: Sector.FASHION}
    by_division |= {16: Sector.CRAFT, 31: Sector.CRAFT, 32: Sector.CRAFT}
    if division in by_division:
        return by_division[division]
    by_category = {"A": Sector.AGRICULTURE, "G": Sector.TRADE, "I": Sector.FOOD}
    if category in by_category:
        return by_category[category]
    if category and category >= "H":
        return Sector.SERVICE
    return Sector.OTHER


# Rows -----------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    line: int
    values: dict  # field -> value; blank cells are left out
    updated_at: datetime.datetime | None
    business: Business | None = None
    how: str = ""  # how it matched: "sidt", "nik", "name"
    changes: dict = field(default_factory=dict)  # field -> (old, new)
    conflicts: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.values.get("name") or (self.business.name if self.business else "")


class SidtImporter:
    """Checks (dry run) or imports one extract for one user; see the module's rules."""

    def __init__(self, user, filename: str) -> None:
        self.user = user
        self.filename = filename
        self.reason = (REASON_PREFIX + filename)[:100]
        self.areas = Areas(user)
        self.shows_nik = may_view_nik(user)
        self.today = timezone.localdate()
        self.problems: list[dict] = []
        self.problem_count = 0
        self.counts = dict.fromkeys(
            ("new", "update", "skip", "link", "conflict", "outside", "refused"), 0
        )
        self.outside: dict[str, int] = {}
        self.changes: list[dict] = []
        self.conflicts: list[dict] = []
        self.links: list[dict] = []
        self.seen_ids: dict[str, int] = {}
        self.taken: set[int] = set()
        self.total = 0

    # The pipeline's entry point.
    def run(self, upload, *, dry_run: bool, progress: Callable[[int], None]) -> Outcome:
        reader = read_extract(upload, self.filename)
        if dry_run:
            self._all(reader, progress, write=False)
        else:
            with transaction.atomic():
                self._all(reader, progress, write=True)
                if self.problem_count:
                    transaction.set_rollback(True)
        return self.outcome()

    def outcome(self) -> Outcome:
        problems = self.problems
        if self.problem_count > len(problems):
            problems = [
                *problems,
                {
                    "row": None,
                    "line": None,
                    "column": "",
                    "message": _("… dan %(n)s kesalahan lain.")
                    % {"n": self.problem_count - len(problems)},
                },
            ]
        counts = {
            **self.counts,
            "outside_by": dict(sorted(self.outside.items(), key=lambda kv: -kv[1])[:10]),
            "changes": self.changes,
            "conflicts": self.conflicts,
        }
        return Outcome(self.total, counts, problems, self.links)

    def _all(self, reader: Reader, progress, *, write: bool) -> None:
        for chunk in batched(reader.rows, CHUNK):
            self.total += len(chunk)
            rows = [r for r in (self._parse(*item) for item in chunk) if r is not None]
            self._match(rows)
            self._diff_all(rows)
            if write and not self.problem_count:
                self._write(rows)
            progress(int(100 * reader.done()))

    def _problem(self, number: int, line: int, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                {"row": number, "line": line, "column": column, "message": message}
            )

    # Parsing one row.
    def _parse(self, number: int, line: int, cells: dict) -> Row | None:
        home, written = self.areas.in_home(cells, "usaha")
        if not home:
            self.counts["outside"] += 1
            self.outside[written] = self.outside.get(written, 0) + 1
            return None
        values, bad = {}, 0
        for name, parse in PARSERS.items():
            column = COLUMN_OF[name]
            try:
                value = parse(cells.get(column))
            except ValueError as error:
                self._problem(number, line, column, str(error))
                bad += 1
                continue
            if value is not None and value != "":
                values[name] = value
        for prefix, attribute in (("usaha", "village_id"), ("pengusaha", "owner_village_id")):
            if attribute == "owner_village_id" and not self._owner_area_given(cells):
                continue
            if attribute == "owner_village_id" and not self.areas.in_home(cells, prefix)[0]:
                continue  # an owner living elsewhere: the registry keeps the home regency's areas
            try:
                values[attribute] = self.areas.village(cells, prefix).pk
            except ValueError as error:
                self._problem(number, line, f"kel_{prefix}", str(error))
                bad += 1
        bad += self._cross_checks(number, line, values)
        try:
            updated_at = parse_moment(cells.get("updated_at"))
        except ValueError as error:
            self._problem(number, line, "updated_at", str(error))
            bad += 1
            updated_at = None
        if bad:
            self.counts["refused"] += 1
            return None
        return Row(number, line, values, updated_at)

    @staticmethod
    def _owner_area_given(cells: dict) -> bool:
        return any(not blank(cells.get(c)) for c in AREA_LEVELS if c.endswith("_pengusaha"))

    def _cross_checks(self, number: int, line: int, values: dict) -> int:
        problems = []
        for name in REQUIRED:
            if name not in values:
                problems.append((COLUMN_OF[name], _("wajib diisi.")))
        if "village_id" in values and values["village_id"] not in self.areas.editable:
            problems.append(("kel_usaha", _("desa ini bukan desa yang boleh Anda ubah.")))
        sidt_id = values.get("sidt_id")
        if sidt_id and sidt_id in self.seen_ids:
            problems.append(
                (
                    "id_data_badan_usaha",
                    _("ID yang sama dengan baris %(row)s.") % {"row": self.seen_ids[sidt_id]},
                )
            )
        elif sidt_id:
            self.seen_ids[sidt_id] = number
        nik = values.get("owner_nik", "")
        nik = "" if MASKED in nik else nik
        gender = values.get("owner_gender")
        if nik and gender and gender != Gender.UNKNOWN and nik_gender(nik) != gender:
            problems.append(("jenis_kelamin", _("jenis kelamin tidak cocok dengan NIK.")))
        if born := values.get("owner_birth_date"):
            problems += [("tanggal_lahir", e) for e in birth_date_errors(born, nik, self.today)]
        if ("latitude" in values) != ("longitude" in values):
            problems.append(("alamat_latitude", _("isi lintang dan bujur keduanya, atau kosong.")))
        start = start_errors(values.get("start_year"), values.get("start_month"), self.today)
        problems += [("tahun_mulai_operasi", message) for message in start]
        for column, message in problems:
            self._problem(number, line, column, message)
        return len(problems)

    # Matching a batch: three queries at most.
    def _match(self, rows: list[Row]) -> None:
        ids = [r.values["sidt_id"] for r in rows if "sidt_id" in r.values]
        by_id = {b.sidt_id: b for b in Business.objects.exclude(sidt_id="").filter(sidt_id__in=ids)}
        rest = []
        for row in rows:
            row.business = by_id.get(row.values.get("sidt_id"))
            if row.business is not None:
                row.how = "sidt"
                self.taken.add(row.business.pk)
            else:
                rest.append(row)
        niks = {r.values.get("owner_nik") for r in rest} - {None}
        niks = {nik for nik in niks if MASKED not in nik}
        by_nik: dict[str, list[Business]] = {}
        for business in Business.objects.filter(sidt_id="", owner_nik__in=niks):
            by_nik.setdefault(business.owner_nik, []).append(business)
        names = {(r.values["village_id"], r.values["name"].casefold()) for r in rest}
        by_name: dict[tuple[int, str], list[Business]] = {}
        for business in (
            Business.objects.filter(sidt_id="", village_id__in={v for v, _n in names})
            .annotate(key=Lower("name"))
            .filter(key__in={n for _v, n in names})
        ):
            by_name.setdefault((business.village_id, business.key), []).append(business)
        for row in rest:
            self._link(row, by_nik, by_name)

    def _link(self, row: Row, by_nik: dict, by_name: dict) -> None:
        key = (row.values["village_id"], row.values["name"].casefold())
        named = [b for b in by_name.get(key, []) if b.pk not in self.taken]
        owned = [b for b in by_nik.get(row.values.get("owner_nik"), []) if b.pk not in self.taken]
        if len(owned) > 1:
            owned = [b for b in owned if b in named] or owned
        if len(owned) > 1:
            self._conflict(
                row, {"owner_nik": (_("%(n)s usaha dengan NIK ini") % {"n": len(owned)}, "")}
            )
            row.how = "ambiguous"
            return
        found, how = (owned[0], "nik") if owned else (named[0], "name") if named else (None, "")
        if found is None:
            return
        row.business, row.how = found, how
        self.taken.add(found.pk)

    # Differences and conflicts.
    def _diff_all(self, rows: list[Row]) -> None:
        for row in rows:
            if row.business is not None and row.how != "ambiguous":
                row.changes = self._diff(row)
            elif row.business is None and MASKED in row.values.get("owner_nik", ""):
                self._problem(
                    row.number, row.line, "nik_pengusaha", _("NIK tersamar: isi NIK lengkap.")
                )
        changed = [r for r in rows if r.changes]
        app_changed = self._app_changed({r.business.pk for r in changed})
        late = [r for r in changed if _later(app_changed.get(r.business.pk), r.updated_at)]
        app_fields = self._app_fields(late)
        for row in late:
            touched = app_fields.get(row.business.pk, set())
            for name in [n for n in row.changes if n in touched]:
                row.conflicts[name] = row.changes.pop(name)
        for row in rows:
            self._count(row)

    def _diff(self, row: Row) -> dict:
        business, changes = row.business, {}
        for name, new in row.values.items():
            old = getattr(business, name)
            if name == "owner_nik" and MASKED in new:
                if new != mask_nik(old):
                    changes[name] = (old, "")  # caught below
                continue
            if name == "sidt_id" and old:
                continue
            if not _same(old, new):
                changes[name] = (old, new)
        if "owner_nik" in changes and changes["owner_nik"][1] == "":
            changes.pop("owner_nik")
            self._problem(
                row.number,
                row.line,
                "nik_pengusaha",
                _("NIK tersamar tidak cocok dengan NIK yang tersimpan; isi NIK lengkap."),
            )
        return changes

    def _app_changed(self, pks: set[int]) -> dict[int, datetime.datetime]:
        """The latest change the app (not a SIDT import) made to each business."""
        if not pks:
            return {}
        rows = (
            Business.history.filter(id__in=pks)
            .filter(
                Q(history_change_reason__isnull=True)
                | ~Q(history_change_reason__startswith=REASON_PREFIX)
            )
            .values("id")
            .annotate(last=Max("history_date"))
        )
        return {r["id"]: r["last"] for r in rows}

    def _app_fields(self, rows: list[Row]) -> dict[int, set[str]]:
        """For each business, the fields the app changed after its row's updated_at: each of
        the app's history records after that time against the record before it."""
        if not rows:
            return {}
        since = {r.business.pk: r.updated_at for r in rows}
        touched: dict[int, set[str]] = {}
        previous: dict[int, object] = {}
        for record in Business.history.filter(id__in=since).order_by(
            "id", "history_date", "history_id"
        ):
            before = previous.get(record.id)
            previous[record.id] = record
            reason = record.history_change_reason or ""
            at = since[record.id]
            if reason.startswith(REASON_PREFIX) or (at is not None and record.history_date <= at):
                continue
            fields = touched.setdefault(record.id, set())
            for name in FIELDS:
                value = getattr(record, name)
                if (before is None and value not in (None, "")) or (
                    before is not None and value != getattr(before, name)
                ):
                    fields.add(name)
        return touched

    def _count(self, row: Row) -> None:
        if row.how == "ambiguous":
            return
        if row.business is None:
            self.counts["new"] += 1
            return
        if row.how in ("nik", "name"):
            self.counts["link"] += 1
            self._remember_link(row)
        if row.conflicts:
            self._conflict(row, row.conflicts)
        if row.changes or (row.how in ("nik", "name") and row.values.get("sidt_id")):
            self.counts["update"] += 1
            if len(self.changes) < SHOWN and row.changes:
                self.changes.append(
                    {"row": row.number, "name": row.label, "fields": self._shown(row.changes)}
                )
        elif not row.conflicts:
            self.counts["skip"] += 1

    def _remember_link(self, row: Row) -> None:
        if len(self.links) >= MAX_PROBLEMS:
            return
        how = _("NIK pemilik sama") if row.how == "nik" else _("nama usaha sama di desa yang sama")
        self.links.append(
            {
                "row": row.number,
                "name": row.label,
                "message": _("akan ditautkan ke usaha #%(pk)s %(name)s (%(how)s)")
                % {"pk": row.business.pk, "name": row.business.name, "how": how},
            }
        )

    def _conflict(self, row: Row, conflicts: dict) -> None:
        self.counts["conflict"] += 1
        if len(self.conflicts) < SHOWN:
            self.conflicts.append(
                {"row": row.number, "name": row.label, "fields": self._shown(conflicts)}
            )

    def _shown(self, changes: dict) -> list[list[str]]:
        shown = []
        for name, (old, new) in changes.items():
            if name == "owner_nik" and not self.shows_nik:
                old, new = mask_nik(old or ""), mask_nik(new or "")
            elif name in ("village_id", "owner_village_id"):
                old, new = self.areas.names.get(old, old), self.areas.names.get(new, new)
            attribute = name[:-3] if name in ("village_id", "owner_village_id") else name
            label = Business._meta.get_field(attribute).verbose_name
            shown.append([str(label), _display(old), _display(new)])
        return shown

    # Writing a batch.
    def _write(self, rows: list[Row]) -> None:
        now = timezone.now()
        created = [self._new(r) for r in rows if r.business is None and r.how != "ambiguous"]
        updated, fields = [], {"version", "updated_at", "scale"}
        for row in rows:
            if row.business is None or not (row.changes or row.how in ("nik", "name")):
                continue
            business = row.business
            for name, (_old, new) in row.changes.items():
                setattr(business, name, new)
            if row.how in ("nik", "name") and row.values.get("sidt_id"):
                business.sidt_id = row.values["sidt_id"]
                fields.add("sidt_id")
            business.version += 1
            business.updated_at = now
            business.scale = business.computed_scale()
            fields.update(row.changes)
            updated.append(business)
        history = {"default_user": self.user, "default_change_reason": self.reason}
        if created:
            bulk_create_with_history(created, Business, batch_size=BATCH, **history)
        if updated:
            bulk_update_with_history(
                updated, Business, fields=sorted(fields), batch_size=BATCH, **history
            )

    def _new(self, row: Row) -> Business:
        values = dict(row.values)
        values.setdefault("owner_gender", Gender.UNKNOWN)
        business = Business(
            **values,
            sector=sector_for(values.get("kbli"), values.get("kbli_category")),
            created_by=self.user,
        )
        business.scale = business.computed_scale()
        return business


def _later(app_change, updated_at) -> bool:
    """The app changed the business after the row's updated_at (an unknown time: always)."""
    return app_change is not None and (updated_at is None or app_change > updated_at)


def _display(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    return str(value)


def template(user) -> bytes:
    """An empty extract: SIDT's 49 columns, the identifier columns formatted as text."""
    return build_template(
        title="SIDT",
        columns={name: name for name in COLUMN_NAMES},
        explain={},
        text_columns={
            "id_data_badan_usaha",
            "nik_pengusaha",
            "nib",
            "kontak_hp",
            "kode_kbli",
            "rt_pengusaha",
            "rw_pengusaha",
            "rt_usaha",
            "rw_usaha",
        },
        lists={},
        example={},
    )
