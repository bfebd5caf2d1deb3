"""Identifiers of a micro-business and its owner (see DOMAIN.md).

NIK is checked strictly (its structure is fixed by law) but never "repaired": a value a spreadsheet
mangled is refused with a message that says what happened. NIB and PIRT formats are only known from
secondary sources, so their checks are soft: `nib_warnings` / `pirt_warnings` return warnings that a
user may confirm past.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import mask_identifier

_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE][+-]?\d+$")
_NIK_SEPARATORS = re.compile(r"[\s.\-]")


def clean_nik(value: str) -> str:
    """The NIK as 16 digits, or ValidationError explaining what is wrong with it."""
    raw = (value or "").strip().replace("\u00a0", "")
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        raise ValidationError(
            _(
                "NIK %(value)s rusak oleh spreadsheet (ditulis sebagai notasi ilmiah, digit "
                "terakhirnya hilang). Format kolom NIK sebagai teks lalu ketik ulang dari KTP."
            ),
            code="nik_scientific",
            params={"value": raw},
        )
    digits = _NIK_SEPARATORS.sub("", raw)
    if not digits.isdigit():
        raise ValidationError(_("NIK hanya boleh berisi angka (16 digit)."), code="nik_not_digits")
    if len(digits) != 16:
        hint = ""
        if len(digits) == 15:
            hint = _(
                " Kemungkinan angka 0 di depan atau digit terakhir hilang saat disalin dari "
                "spreadsheet; periksa lagi di KTP."
            )
        raise ValidationError(
            _("NIK harus 16 digit, yang diisi %(count)s digit.%(hint)s"),
            code="nik_length",
            params={"count": len(digits), "hint": hint},
        )
    if digits.endswith("0000") or digits[:2] == "00":
        raise ValidationError(
            _("NIK %(value)s tidak mungkin: kode wilayah atau nomor urutnya nol."),
            code="nik_zero",
            params={"value": digits},
        )
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40  # women: 40 is added to the day of birth
    # The two-digit year leaves the century open; 19YY and 20YY agree on leap years except 00.
    try:
        date(2000 + year, month, day)
    except ValueError:
        raise ValidationError(
            _(
                "Tanggal lahir di NIK (digit 7–12: %(part)s) tidak valid. Untuk perempuan "
                "tanggalnya ditambah 40."
            ),
            code="nik_birth_date",
            params={"part": digits[6:12]},
        ) from None
    return digits


def validate_nik(value: str) -> None:
    if value:
        clean_nik(value)


def nik_gender(nik: str) -> str:
    """'P' (perempuan) when the day of birth has 40 added, else 'L'."""
    return "P" if int(nik[6:8]) > 40 else "L"


# 3215••••••••0003: province and regency, then the sequence number.
mask_nik = mask_identifier

VIEW_NIK = "businesses.view_nik"


def may_view_nik(user) -> bool:
    """The one rule for whole NIKs: only users with "Melihat NIK lengkap" see (and, in the
    admin, change) them; everyone else gets `mask_nik`."""
    return user is not None and user.has_perm(VIEW_NIK)


def nik_for(user, nik: str) -> str:
    return nik if may_view_nik(user) else mask_nik(nik)


def clean_digits(value: str, label: str, allowed: str = "") -> str:
    raw = re.sub(r"\s", "", value or "")
    if _SCIENTIFIC.match(raw):
        raise ValidationError(
            _(
                "%(label)s %(value)s rusak oleh spreadsheet (notasi ilmiah). "
                "Ketik ulang sebagai teks."
            ),
            code="scientific",
            params={"label": label, "value": raw},
        )
    if raw and not re.fullmatch(rf"[\d{re.escape(allowed)}]+", raw):
        raise ValidationError(
            _("%(label)s hanya boleh berisi angka."), code="not_digits", params={"label": label}
        )
    return raw


def nib_warnings(nib: str) -> list[str]:
    if nib and len(nib) != 13:
        return [_("NIB biasanya 13 digit; yang diisi %(count)s digit.") % {"count": len(nib)}]
    return []


def pirt_warnings(pirt: str, expiry: date | None) -> list[str]:
    """PIRT: at least 15 digits, the last two the year its validity ends (DOMAIN.md)."""
    warnings = []
    digits = pirt.replace("-", "")
    if pirt and len(digits) < 15:
        warnings.append(
            _("Nomor PIRT biasanya minimal 15 digit; yang diisi %(count)s digit.")
            % {"count": len(digits)}
        )
    if pirt and len(digits) >= 15 and expiry and int(digits[-2:]) != expiry.year % 100:
        warnings.append(
            _(
                "Dua digit terakhir nomor PIRT (%(digits)s) biasanya tahun berakhirnya, tetapi "
                "tanggal kedaluwarsa yang diisi tahun %(year)s."
            )
            % {"digits": digits[-2:], "year": expiry.year}
        )
    if pirt and not expiry:
        warnings.append(_("Nomor PIRT diisi tanpa tanggal kedaluwarsa (berlaku 5 tahun)."))
    return warnings


def validate_kbli(value: str) -> None:
    if value and not re.fullmatch(r"\d{5}", value):
        raise ValidationError(_("KBLI terdiri dari 5 digit, mis. 10792."), code="kbli")


def validate_rt_rw(value: str) -> None:
    """RT and RW numbers as written, leading zeros kept ('001'): 1–3 digits, not zero."""
    if value and (not re.fullmatch(r"\d{1,3}", value) or int(value) == 0):
        raise ValidationError(_("RT/RW ditulis 1–3 angka, mis. 003 (bukan nol)."), code="rt_rw")


# Indonesia's bounding box, generously: Rote to Weh, Sabang to Merauke.
LATITUDES = (-11, 6)
LONGITUDES = (95, 141)
MIN_OWNER_AGE, MAX_OWNER_AGE = 15, 100


def age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def nik_birth_dates(nik: str, today: date) -> list[date]:
    """The birth dates a NIK's DDMMYY part can stand for (women: day + 40): 19YY or 20YY,
    whichever gives an age of 15 to 100 today (both, rarely; none for a nonsense NIK)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day = day - 40 if day > 40 else day
    dates = []
    for century in (1900, 2000):
        try:
            born = date(century + year, month, day)
        except ValueError:
            continue
        if MIN_OWNER_AGE <= age_on(born, today) <= MAX_OWNER_AGE:
            dates.append(born)
    return dates


def start_errors(year: int | None, month: int | None, today: date) -> list[str]:
    """The month and year a business started operating: a month needs its year, and neither
    may lie in the future. One rule for the form and the SIDT import."""
    if month and not year:
        return [_("Isi tahunnya bila bulan mulai diisi.")]
    if year and (year, month or 1) > (today.year, today.month):
        return [_("Mulai beroperasi tidak boleh di masa depan.")]
    return []


def birth_date_errors(birth_date: date, nik: str, today: date) -> list[str]:
    """What is wrong with an owner's date of birth, alone and against their NIK."""
    age = age_on(birth_date, today)
    if not MIN_OWNER_AGE <= age <= MAX_OWNER_AGE:
        return [
            _("Umur pemilik menurut tanggal lahir ini %(age)s tahun; periksa lagi (15–100).")
            % {"age": age}
        ]
    if nik and birth_date not in nik_birth_dates(nik, today):
        return [
            _(
                "Tanggal lahir tidak cocok dengan NIK (digit 7–12 adalah tanggal, bulan, dan "
                "tahun lahir; untuk perempuan tanggalnya ditambah 40)."
            )
        ]
    return []


# KBLI 2020: the first two digits (golongan pokok) of each category (kategori).
_KBLI_CATEGORY_DIVISIONS = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}


def kbli_category_of(code: str) -> str:
    """The KBLI 2020 category letter of a 5-digit code, or '' when none fits."""
    division = int(code[:2])
    for letter, (first, last) in _KBLI_CATEGORY_DIVISIONS.items():
        if first <= division <= last:
            return letter
    return ""


def kbli_warnings(code: str, category: str) -> list[str]:
    """A soft check: KBLI 2025 moved some codes, so a code outside its category may be right."""
    if not (code and category and re.fullmatch(r"\d{5}", code)):
        return []
    expected = kbli_category_of(code)
    if expected and expected != category:
        return [
            _("KBLI %(code)s biasanya termasuk kategori %(expected)s, bukan %(category)s.")
            % {"code": code, "expected": expected, "category": category}
        ]
    return []
