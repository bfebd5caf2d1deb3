"""Uploaded documents: stored privately, checked and cleaned by `core.uploads`."""

import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
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


def private_file_response(
    name: str,
    *,
    content_type: str,
    cache_control: str,
    as_attachment: bool = False,
    filename: str = "",
) -> HttpResponse | FileResponse:
    """The private file `name` (in `private_storage`) for a user the calling view has checked.

    With PRIVATE_MEDIA_ACCEL_REDIRECT set, nginx sends the bytes from its internal location (an
    empty answer carrying `X-Accel-Redirect`) and the worker is free at once; otherwise Django
    streams the file. Both answer with the same type, disposition and caching.
    """
    filename = filename or os.path.basename(name)
    prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        response = FileResponse(
            private_storage.open(name, "rb"),
            content_type=content_type,
            as_attachment=as_attachment,
            filename=filename,
        )
    response["Cache-Control"] = cache_control
    return response


def document_response(document: PrivateDocument) -> HttpResponse | FileResponse:
    """The file, for a user the caller has checked; PDFs download, images open in place."""
    return private_file_response(
        document.file.name,
        content_type=document.content_type,
        cache_control="private, no-store",
        as_attachment=document.content_type == "application/pdf",
        filename=document.filename,
    )
