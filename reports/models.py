"""Yearly targets (target kinerja) the office sets, against which the figures are reported."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models import Service
from core.concurrency import VersionedModel
from core.files import private_storage
from villages.models import District


class YearTarget(VersionedModel):
    """The programme's promises for one year; per-service case targets hang off it."""

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    villages_mentored = models.PositiveIntegerField(_("desa didampingi"), default=0)
    visits_per_mentor_month = models.PositiveSmallIntegerField(
        _("kunjungan per Patriot Desa per bulan"), default=0
    )
    cooperative_activities = models.PositiveIntegerField(_("kegiatan koperasi"), default=0)
    cooperative_participants = models.PositiveIntegerField(
        _("peserta kegiatan koperasi"), default=0
    )
    budget_absorption = models.PositiveSmallIntegerField(
        _("serapan anggaran (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        permissions = [("view_reports", _("Melihat laporan dan dasbor"))]
        verbose_name = _("target tahunan")
        verbose_name_plural = _("target tahunan")

    def __str__(self) -> str:
        return str(self.year)


class ServiceTarget(models.Model):
    """Cases of one service to complete in the year, for the regency (no kecamatan) or for one
    kecamatan."""

    year_target = models.ForeignKey(
        YearTarget, on_delete=models.CASCADE, related_name="service_targets"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, verbose_name=_("layanan"))
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("kecamatan"),
        help_text=_("Kosong: target seluruh kabupaten."),
    )
    cases_done = models.PositiveIntegerField(_("kasus selesai"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target layanan")
        verbose_name_plural = _("target layanan")
        constraints = [
            models.UniqueConstraint(
                fields=["year_target", "service"],
                condition=Q(district__isnull=True),
                name="one_regency_target_per_service",
            ),
            models.UniqueConstraint(
                fields=["year_target", "service", "district"],
                condition=Q(district__isnull=False),
                name="one_district_target_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_target.year} {self.service}: {self.cases_done}"


def validate_nip(value: str) -> None:
    """NIP: 18 digits, birth date YYYYMMDD, appointment YYYYMM, gender 1/2, sequence (spaces
    allowed as in `19700101 199503 1 001`)."""
    digits = value.replace(" ", "")
    if not digits.isdigit() or len(digits) != 18:
        raise ValidationError(_("NIP harus 18 angka (mis. 19700101 199503 1 001)."))
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(
            _("Delapan angka pertama NIP bukan tanggal lahir yang sah.")
        ) from None
    if not 1 <= int(digits[12:14]) <= 12:
        raise ValidationError(_("Angka ke-13 dan ke-14 NIP (bulan pengangkatan) tidak sah."))
    if digits[14] not in "12":
        raise ValidationError(_("Angka ke-15 NIP (jenis kelamin) harus 1 atau 2."))


class Signer(models.Model):
    """Who signs the printed reports: the head of the office, or a named deputy."""

    position = models.CharField(
        _("jabatan"),
        max_length=200,
        help_text=_("Mis. Kepala Dinas Koperasi dan Usaha Kecil Menengah Kabupaten Karawang"),
    )
    name = models.CharField(_("nama"), max_length=150)
    rank = models.CharField(_("pangkat/golongan"), max_length=100, blank=True)
    nip = models.CharField(_("NIP"), max_length=21, validators=[validate_nip])
    place = models.CharField(_("tempat penandatanganan"), max_length=60, default="Karawang")
    is_default = models.BooleanField(_("penanda tangan utama"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("penanda tangan laporan")
        verbose_name_plural = _("penanda tangan laporan")

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"

    @property
    def nip_spaced(self) -> str:
        d = self.nip.replace(" ", "")
        return f"{d[:8]} {d[8:14]} {d[14]} {d[15:]}"


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """A report is for those who may see its whole area: the regency's for regency-wide
        users, a kecamatan's also for its camat/TP PKK, a village's also for its mentors."""
        from villages.access import NOTHING, VIEW_ALL, area_filter, user_area

        if not user.is_authenticated or not user.is_active:
            return self.filter(NOTHING)
        if user.has_perm(VIEW_ALL):
            return self
        kecamatan = Q(village__isnull=True, district__in=user_area(user).viewer_districts)
        village = Q(village__isnull=False) & area_filter(user, village_path="village")
        return self.filter(kecamatan | village)


STUCK_AFTER = timedelta(minutes=30)


class Report(models.Model):
    """A PDF progress report: asked for on the dashboard, made by the worker, archived."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    period = models.CharField(_("periode"), max_length=40)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kecamatan")
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("desa"),
    )
    signer = models.ForeignKey(Signer, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("diminta oleh")
    )
    requested_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    error = models.TextField(_("kesalahan"), blank=True)
    file = models.FileField(storage=private_storage, upload_to="laporan/", blank=True)
    pages = models.PositiveIntegerField(_("halaman"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(_("ukuran (byte)"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("laporan PDF")
        verbose_name_plural = _("laporan PDF")
        indexes = [
            models.Index(fields=["-requested_at"]),
            models.Index(fields=["period", "district", "village", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.area_label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report", args=[self.pk])

    @property
    def area_label(self) -> str:
        if self.village_id:
            return self.village.title
        if self.district_id:
            return _("Kecamatan %(name)s") % {"name": self.district.name}
        return _("Kabupaten")

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING) and not self.is_stuck

    @property
    def is_stuck(self) -> bool:
        """Queued or running far longer than a report takes: the worker is down or died."""
        return self.state in (self.State.QUEUED, self.State.RUNNING) and (
            self.requested_at < timezone.now() - STUCK_AFTER
        )


MANAGE_PERSONAL_DATA = "reports.manage_personal_data"


class Erasure(models.Model):
    """A lawful erasure of one person's identifying data (UU 27/2022): who, when, why and how
    much changed. Never the NIK: the record must not become the way to find the person again."""

    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dilakukan oleh"),
    )
    erased_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    reason = models.TextField(_("alasan dan dasar hukum"))
    business_ids = models.JSONField(_("id usaha"), default=list)
    businesses = models.PositiveIntegerField(_("usaha dianonimkan"), default=0)
    history_rows = models.PositiveIntegerField(_("baris riwayat dianonimkan"), default=0)

    class Meta:
        ordering = ["-erased_at"]
        permissions = [
            ("manage_personal_data", _("Mengelola permintaan data pribadi (UU PDP)")),
        ]
        verbose_name = _("penghapusan data pribadi")
        verbose_name_plural = _("penghapusan data pribadi")

    def __str__(self) -> str:
        return f"{self.erased_at:%Y-%m-%d %H:%M} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reports:erasure", args=[self.pk])


EXPORT_KEPT_FOR = timedelta(hours=24)


class PersonalDataExport(models.Model):
    """The PDF of everything stored about one person, for the data subject: made by the worker
    from record ids (never the NIK), for the requester alone, deleted at its first download or
    after EXPORT_KEPT_FOR."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")
        GONE = "gone", _("Sudah dihapus")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    requested_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    business_ids = models.JSONField(default=list)
    history_ids = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    error = models.TextField(_("kesalahan"), blank=True)
    file = models.FileField(storage=private_storage, upload_to="data-pribadi/", blank=True)
    pages = models.PositiveIntegerField(_("halaman"), null=True, blank=True)
    size = models.PositiveIntegerField(_("ukuran (byte)"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("salinan data pribadi")
        verbose_name_plural = _("salinan data pribadi")

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reports:personal_data_export", args=[self.pk])

    @property
    def expires_at(self):
        return self.requested_at + EXPORT_KEPT_FOR

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING) and not self.is_stuck

    @property
    def is_stuck(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING) and (
            self.requested_at < timezone.now() - STUCK_AFTER
        )

    def discard(self) -> None:
        """Delete the file and say so; the row stays (who asked, when)."""
        if self.file:
            self.file.delete(save=False)
        self.state = self.State.GONE
        self.save(update_fields=["file", "state"])
