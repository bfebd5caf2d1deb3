"""Serving stored photos, whole or as a thumbnail, to users the calling view has checked.

Uploads are cleaned in `core.uploads`; a stored photo is already a pixels-only JPEG.
"""

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from PIL import Image

from .files import private_file_response
from .uploads import encode, pixels_only

# `?ukuran=` of a photo URL: the longest side in pixels. Pages show photos at 96–320 CSS px; a
# thumbnail twice that keeps them sharp on phone screens at a tenth of the bytes of the original.
THUMBNAIL_SIDES = {"kecil": 320, "sedang": 640}


def requested_side(request: HttpRequest) -> int | None:
    return THUMBNAIL_SIDES.get(request.GET.get("ukuran", ""))


def thumbnail(field_file: FieldFile, side: int) -> str:
    """The stored name of the photo shrunk to `side` pixels (made once, kept beside it)."""
    storage = field_file.storage
    name = f"{field_file.name.rsplit('.', 1)[0]}.{side}.jpg"
    if not storage.exists(name):
        with field_file.open("rb") as original, Image.open(original, formats=["JPEG"]) as image:
            if max(image.size) <= side:
                return field_file.name
            image.draft("RGB", (side, side))  # JPEG decodes at a fraction of its size: fast
            image.thumbnail((side, side))
            small = encode(pixels_only(image), "JPEG")
        # Two requests racing here both write a thumbnail; the loser's gets a suffixed name and
        # is never read. Harmless, and cheaper than a lock.
        name = storage.save(name, ContentFile(small))
    return name


def photo_response(
    field_file: FieldFile, *, public: bool, side: int | None = None
) -> HttpResponse | FileResponse:
    return private_file_response(
        thumbnail(field_file, side) if side else field_file.name,
        content_type="image/jpeg",
        # Public photos stay cacheable only briefly: consent can be withdrawn.
        cache_control="public, max-age=300" if public else "private, max-age=3600",
    )
