"""Validators shared by every app (phone numbers today; identifiers join them as they arrive)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_E164_ID = re.compile(r"^\+62[1-9]\d{7,11}$")


def normalize_phone(value: str) -> str:
    """An Indonesian phone number in +62 form: '0812-3456-7890' -> '+6281234567890'.

    Raises ValidationError for anything that is not clearly an Indonesian number, including
    numbers a spreadsheet turned into scientific notation ('8,12346E+11').
    """
    raw = value.strip()
    if re.search(r"[eE][+-]?\d", raw):
        raise ValidationError(
            _(
                "Nomor telepon %(value)s rusak oleh spreadsheet (notasi ilmiah). "
                "Format kolomnya sebagai teks lalu ketik ulang nomornya."
            ),
            code="phone_mangled",
            params={"value": raw},
        )
    digits = _PHONE_SEPARATORS.sub("", raw)
    if digits.startswith("+62"):
        normalized = digits
    elif digits.startswith("62"):
        normalized = "+" + digits
    elif digits.startswith("0"):
        normalized = "+62" + digits[1:]
    else:
        normalized = digits
    if not _E164_ID.match(normalized):
        raise ValidationError(
            _("Nomor telepon %(value)s tidak valid. Contoh: 0812-3456-7890 atau +6281234567890."),
            code="phone_invalid",
            params={"value": raw},
        )
    return normalized


def mask_identifier(value: str) -> str:
    """3215••••••••0003: an identifier (NIK) with all but its first and last four digits
    hidden, for lists, exports and history."""
    text = str(value or "")
    if not text:
        return ""
    if len(text) <= 8:
        return "•" * len(text)
    return f"{text[:4]}{'•' * (len(text) - 8)}{text[-4:]}"


def validate_phone(value: str) -> None:
    if value:
        normalize_phone(value)
