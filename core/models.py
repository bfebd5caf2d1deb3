"""Spreadsheet imports done on the site (not in the admin): one job per uploaded sheet."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .files import private_storage
from .uploads import SheetField

KEEP_UPLOADS_DAYS = 30


class ImportJob(models.Model):
    """An uploaded sheet on its way: validated in the background, previewed, confirmed, imported
    in the background. The file is kept privately for KEEP_UPLOADS_DAYS days."""

    class State(models.TextChoices):
        VALIDATING = "validating", _("Sedang diperiksa")
        PREVIEW = "preview", _("Pratinjau")
        IMPORTING = "importing", _("Sedang diimpor")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=30)
    file = SheetField(storage=private_storage, upload_to="impor/", blank=True)
    filename = models.CharField(_("nama berkas"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("diunggah oleh")
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    state = models.CharField(max_length=12, choices=State, default=State.VALIDATING)
    progress = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["uploaded_by", "-uploaded_at"])]
        verbose_name = _("impor spreadsheet")
        verbose_name_plural = _("impor spreadsheet")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("imports:job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.VALIDATING, self.State.IMPORTING) and not self.is_stuck

    @property
    def is_stuck(self) -> bool:
        """Still checking or importing long after a sheet takes: the worker is down or died."""
        return self.state in (self.State.VALIDATING, self.State.IMPORTING) and (
            self.uploaded_at < timezone.now() - timedelta(minutes=30)
        )


class WorkerBeat(models.Model):
    """A worker process's last sign of life, written by `manage.py worker` and read by /healthz.
    One row per process (host and pid): a pool of several workers shows as several rows."""

    worker = models.CharField(_("worker"), max_length=150, unique=True)
    last_seen = models.DateTimeField(_("terakhir terlihat"))

    class Meta:
        verbose_name = _("detak worker")
        verbose_name_plural = _("detak worker")

    def __str__(self) -> str:
        return self.worker


class ScheduledRun(models.Model):
    """When a periodic task (`core.schedule`) is next due. The row is what a pool of workers
    agrees on: the one whose update moves `next_run_at` forward enqueues the task."""

    name = models.CharField(_("nama"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("jadwal berikutnya"))
    last_run_at = models.DateTimeField(_("terakhir dijalankan"), null=True, blank=True)

    class Meta:
        verbose_name = _("tugas terjadwal")
        verbose_name_plural = _("tugas terjadwal")

    def __str__(self) -> str:
        return self.name


class IdempotentRequest(models.Model):
    """A POST that a phone queued while offline and sent with an `Idempotency-Key`: the key is
    stored with the action's status (and redirect) in the action's transaction, so a repeat (a
    retry after a lost answer) gets the same answer and the action happens once. No body is
    kept: it would hold personal data beyond the reach of erasure. See core.idempotency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_once")
        ]
        verbose_name = _("permintaan antrean")
        verbose_name_plural = _("permintaan antrean")

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"
