"""Yearly targets (target kinerja) the office sets, against which the figures are reported."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models import Service
from core.concurrency import VersionedModel
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
