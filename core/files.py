"""Uploaded documents: stored privately, checked and cleaned by `core.uploads`."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .uploads import EXTENSIONS, DocumentField


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


def document_upload_path(instance: "PrivateDocument", filename: str) -> str:
    # The stored name carries no personal data: the original name is kept in `filename`.
    return (
        f"{instance.folder()}/{timezone.now():%Y%m%d%H%M%S%f}"
        f".{EXTENSIONS.get(instance.content_type, 'bin')}"
    )


class PrivateDocument(models.Model):
    """A PDF/JPEG/PNG kept in private storage; subclasses say what it belongs to."""

    title = models.CharField(gettext_lazy("judul"), max_length=150, blank=True)
    file = DocumentField(
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
    """For a ModelForm of a PrivateDocument: records what the cleaned upload is (the field,
    a `DocumentField`, has checked and re-encoded it)."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.instance.content_type = upload.content_type
        self.instance.size = upload.size
        self.instance.filename = upload.original_name[:255]
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
