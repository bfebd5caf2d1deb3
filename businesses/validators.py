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
