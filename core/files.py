"""Uploaded documents: recognised by their content, limited in size, stored privately."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


def document_upload_path(instance: "PrivateDocument", filename: str) -> str:
    # The stored name carries no personal data: the original name is kept in `filename`.
    return (
        f"{instance.folder()}/{timezone.now():%Y%m%d%H%M%S%f}"
        f".{EXTENSIONS.get(instance.content_type, 'bin')}"
    )


class PrivateDocument(models.Model):
    """A PDF/JPEG/PNG kept in private storage; subclasses say what it belongs to."""

    title = models.CharField(gettext_lazy("judul"), max_length=150, blank=True)
    file = models.FileField(
        gettext_lazy("berkas"), storage=private_storage, upload_to=document_upload_path
    )
    filename = models.CharField(gettext_lazy("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(gettext_lazy("ukuran (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(gettext_lazy("diunggah"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.filename

    def folder(self) -> str:
        raise NotImplementedError


class DocumentFormMixin:
    """For a ModelForm of a PrivateDocument: checks the upload and records what it is."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.instance.content_type = check_document(upload)
        self.instance.size = upload.size
        self.instance.filename = upload.name[:255]
        return upload


def document_response(document: PrivateDocument) -> FileResponse:
    """The file, for a user the caller has checked; PDFs download, images open in place."""
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=document.content_type == "application/pdf",
        filename=document.filename,
    )
    response["Cache-Control"] = "private, no-store"
    return response
