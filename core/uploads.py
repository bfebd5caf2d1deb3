"""Every upload goes through here: recognised by its content, decoded with a pixel cap, and
re-encoded so that only pixels are stored.

A file's name and the browser's content type are never trusted. Images (JPEG, PNG) are decoded
by Pillow restricted to those two formats, refused above IMAGE_MAX_PIXELS before their pixels are
decoded (a 109 KB PNG can claim 30,000 × 30,000 pixels), and written anew from their pixels alone:
comments, EXIF (with GPS), XMP, ICC and text chunks, and anything planted in them, are dropped.
PDFs are accepted by their signature and served as downloads only.

Model fields `PhotoField` and `DocumentField` carry this into every ModelForm, the admin's
included, so a new upload field cannot skip it.
"""

import warnings
from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = ("JPEG", "PNG")
# 50 megapixels: the largest photo a phone sensor takes in its default modes (8160 × 6120).
# Decoded as RGB that is 150 MB; anything larger is refused before its pixels are read.
IMAGE_MAX_PIXELS = 50_000_000
PHOTO_MAX_SIDE = 1200

# Magic numbers: what a file *is*, whatever its name or the browser claims.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def sniff_content_type(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def _check_size(upload: UploadedFile) -> None:
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("Berkas %(size)s MB; paling besar %(max)s MB.")
            % {
                "size": number_format(upload.size / 1024 / 1024, 1),
                "max": settings.DOCUMENT_MAX_BYTES // 1024 // 1024,
            },
            code="too_big",
        )


def open_image(upload: UploadedFile) -> Image.Image:
    """The upload's pixels, decoded and orientation applied, or ValidationError: not a JPEG or
    PNG, damaged, or more than IMAGE_MAX_PIXELS pixels (checked before decoding)."""
    _check_size(upload)
    upload.seek(0)
    not_an_image = ValidationError(_("Berkas ini bukan foto JPEG atau PNG."), code="format")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 89 and 178 megapixels; every such file is refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=IMAGE_FORMATS)
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _too_many_pixels(width, height)
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("Ukuran gambar terlalu besar untuk diproses; paling besar %(mp)s megapiksel.")
            % {"mp": IMAGE_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    return image


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "Gambar %(width)s × %(height)s piksel terlalu besar; paling besar %(mp)s megapiksel. "
            "Kecilkan gambarnya lalu unggah lagi."
        )
        % {"width": width, "height": height, "mp": IMAGE_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def pixels_only(image: Image.Image, *, keep_alpha: bool = False) -> Image.Image:
    """A new image holding only the pixels of `image`: no comment, EXIF, XMP, ICC or text."""
    if image.mode in ("P", "PA", "LA", "RGBA", "I;16", "I", "F", "CMYK", "YCbCr", "1"):
        has_alpha = image.mode in ("PA", "LA", "RGBA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "RGBA" and not keep_alpha:
        # Transparent areas become white, not the black a plain convert("RGB") gives.
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def encode(image: Image.Image, pil_format: str) -> bytes:
    out = BytesIO()
    if pil_format == "JPEG":
        image.save(out, "JPEG", quality=82, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def clean_photo(upload: UploadedFile, max_side: int = PHOTO_MAX_SIDE) -> ContentFile:
    """A JPEG of at most `max_side` pixels a side made from the upload's pixels alone."""
    image = open_image(upload)
    image.thumbnail((max_side, max_side))
    name = (upload.name or "foto").rsplit(".", 1)[0][:200] + ".jpg"
    return ContentFile(encode(pixels_only(image), "JPEG"), name=name)


def clean_document(upload: UploadedFile) -> tuple[ContentFile | UploadedFile, str]:
    """(file to store, its content type) for a PDF, JPEG or PNG document, else ValidationError.

    Images are re-encoded in their own format at full size (a scanned letter must stay legible);
    PDFs are kept as they are and only ever served as downloads."""
    _check_size(upload)
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _("Isi berkas bukan PDF, JPEG, atau PNG (apa pun nama berkasnya)."), code="type"
        )
    if content_type == "application/pdf":
        return upload, content_type
    pil_format = PIL_FORMATS[content_type]
    image = pixels_only(open_image(upload), keep_alpha=pil_format == "PNG")
    return ContentFile(encode(image, pil_format), name=upload.name), content_type


class PhotoInput(forms.ClearableFileInput):
    """A photo field that never links the stored file: uploads are private and have no URL."""

    template_name = "core/widgets/photo_input.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"accept": "image/jpeg,image/png"} | (attrs or {}))

    def is_initial(self, value) -> bool:
        # Django asks for the file's URL here; a private file has none, its name is enough.
        return bool(value and getattr(value, "name", ""))


class PhotoFormField(forms.FileField):
    """A new upload comes back as a cleaned JPEG (see `clean_photo`); a kept one unchanged."""

    widget = PhotoInput

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_photo(upload)


class DocumentFormField(forms.FileField):
    """A new upload comes back cleaned (see `clean_document`) with its `content_type` set."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget", forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        )
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        cleaned, content_type = clean_document(upload)
        cleaned.content_type = content_type
        cleaned.original_name = upload.name
        cleaned.original_size = upload.size
        return cleaned


class PhotoField(models.ImageField):
    """A model's photo: every form of it (app and admin) cleans uploads with `clean_photo`."""

    def formfield(self, **kwargs):
        # Always this widget: the admin's would ask a private file for a URL it does not have.
        return super().formfield(**{**kwargs, "form_class": PhotoFormField, "widget": PhotoInput})


class DocumentField(models.FileField):
    """A model's document: every form of it cleans uploads with `clean_document`."""

    def formfield(self, **kwargs):
        kwargs.pop("widget", None)  # the admin's would ask a private file for its URL
        return super().formfield(**{**kwargs, "form_class": DocumentFormField})


SHEET_MAX_BYTES = 10 * 1024 * 1024
# The largest any kind of sheet may be (a regency's SIDT extract, read as a stream); each kind
# says its own limit (core.sheet_imports.SheetKind.max_bytes), checked once the kind is known.
SHEET_LARGEST_BYTES = 100 * 1024 * 1024


def too_big(upload: UploadedFile, limit: int) -> ValidationError | None:
    if upload.size > limit:
        return ValidationError(
            _("Berkas paling besar %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_big"
        )
    return None


def clean_sheet(upload: UploadedFile) -> UploadedFile:
    """A spreadsheet to import: an XLSX (a ZIP with a workbook inside) or a CSV (text, no NUL
    bytes), at most SHEET_LARGEST_BYTES (each kind checks its own limit), told by its content,
    not its name."""
    if error := too_big(upload, SHEET_LARGEST_BYTES):
        raise error
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        import zipfile

        try:
            with zipfile.ZipFile(upload) as archive:
                workbook = "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            workbook = False
        upload.seek(0)
        if not workbook:
            raise ValidationError(_("Berkas ini bukan XLSX (isinya tidak cocok)."), code="type")
        return upload
    if name.endswith(".csv"):
        head = upload.read(64 * 1024)
        upload.seek(0)
        text = not (sniff_content_type(head[:16]) or head.lstrip()[:1] == b"<")
        if not text or any(b"\x00" in chunk for chunk in upload.chunks()):
            raise ValidationError(_("Berkas ini bukan CSV (isinya tidak cocok)."), code="type")
        upload.seek(0)
        return upload
    raise ValidationError(_("Unggah berkas XLSX atau CSV."), code="type")


class SheetFormField(forms.FileField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else clean_sheet(upload)


class SheetField(models.FileField):
    """An uploaded spreadsheet: every form of it checks uploads with `clean_sheet`."""

    def formfield(self, **kwargs):
        kwargs.pop("widget", None)
        return super().formfield(**{**kwargs, "form_class": SheetFormField})
