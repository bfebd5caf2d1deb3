"""Uploaded photos: checked by content and made small for a mentor's weak mobile signal."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.forms import ClearableFileInput
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 1200


def shrink_photo(upload: UploadedFile) -> ContentFile:
    """A JPEG of at most PHOTO_MAX_SIDE pixels a side, or ValidationError for anything that is
    not a JPEG or PNG photo of at most 5 MB. EXIF (which may hold GPS) is dropped."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("Foto paling besar 5 MB."), code="too_big")
    try:
        upload.seek(0)
        image = Image.open(upload)
        kind = image.format
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError):
        raise ValidationError(_("Berkas ini bukan foto JPEG atau PNG."), code="format") from None
    if kind not in ("JPEG", "PNG"):
        raise ValidationError(_("Foto harus JPEG atau PNG."), code="format")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)
    name = (upload.name or "foto").rsplit(".", 1)[0] + ".jpg"
    return ContentFile(out.getvalue(), name=name)


def photo_response(field_file, *, public: bool) -> FileResponse:
    response = FileResponse(field_file.open("rb"), content_type="image/jpeg")
    # Public photos stay cacheable only briefly: consent can be withdrawn.
    response["Cache-Control"] = "public, max-age=300" if public else "private, max-age=3600"
    return response


class PhotoInput(ClearableFileInput):
    """A photo field that never links the stored file: uploads are private and have no URL."""

    template_name = "core/widgets/photo_input.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"accept": "image/jpeg,image/png"} | (attrs or {}))

    def is_initial(self, value) -> bool:
        # Django asks for the file's URL here; a private file has none, its name is enough.
        return bool(value and getattr(value, "name", ""))
