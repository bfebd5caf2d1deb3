"""Uploaded documents: recognised by their content, limited in size, stored privately."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _


class PrivateStorage(FileSystemStorage):
    """Documents may show NIKs, addresses or signatures: they live in PRIVATE_MEDIA_ROOT, outside
    MEDIA_ROOT, and are served only by views that check the user's area. The folder is read from
    settings on use, so tests and deployments can move it."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None


private_storage = PrivateStorage()

# Magic numbers: what a file *is*, whatever its name or the browser claims.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff_content_type(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def check_document(upload: UploadedFile) -> str:
    """The upload's real content type (PDF, JPEG or PNG), or ValidationError."""
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("Berkas %(size)s MB; paling besar 5 MB.")
            % {"size": number_format(upload.size / 1024 / 1024, 1)},
            code="too_big",
        )
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(
            _("Isi berkas bukan PDF, JPEG, atau PNG (apa pun nama berkasnya)."), code="type"
        )
    return content_type
