"""Facilitation cases: one per business per service, moved step by step to an outcome.

Services and their ordered steps are reference data (seeded from DOMAIN.md by a migration, edited
by administrators), so a change of procedure is a data change, not a code change.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from businesses.models import Business
from core.concurrency import VersionedModel
from core.files import PrivateDocument, private_storage
from core.uploads import PhotoField
from villages.access import AreaScopedQuerySet
from villages.models import Mentor

from .workdays import working_days

STALLED_AFTER_DAYS = 14


def stalled_cutoff():
    """An active case with no activity since this moment is stalled."""
    return timezone.now() - timedelta(days=STALLED_AFTER_DAYS)


class Service(models.Model):
    """NIB, halal, PIRT, kemasan, pemasaran. `code` ties a service to the business field its
    outcome writes (see Case.LEGAL_FIELDS); the rest is editable."""

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama layanan"), max_length=100)
    description = models.TextField(_("keterangan"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    outcome_required = models.BooleanField(
        _("wajib nomor hasil saat selesai"),
        default=False,
        help_text=_("Mis. nomor NIB, PIRT, atau sertifikat halal."),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="steps", verbose_name=_("layanan")
    )
    order = models.PositiveSmallIntegerField(_("urutan"))
    name = models.CharField(_("nama tahap"), max_length=150)
    description = models.TextField(_("keterangan"), blank=True)

    class Meta:
        ordering = ["service", "order"]
        verbose_name = _("tahap")
        verbose_name_plural = _("tahap")
        constraints = [
            models.UniqueConstraint(fields=["service", "order"], name="step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Catalogue:
    """The services and their steps, read for a page in a small query each (the steps only when
    asked for).

    Listed cases take their service and step from here rather than joining both tables into
    every list query: two joins more made PostgreSQL spend 7 ms planning each 25-row page
    (a board plans six of them). Also the choices of the case filters."""

    def __init__(self) -> None:
        self.services = list(Service.objects.all())
        self._services = {service.pk: service for service in self.services}

    @cached_property
    def steps(self) -> list[Step]:
        position = {service.pk: index for index, service in enumerate(self.services)}
        steps = sorted(
            Step.objects.order_by(), key=lambda step: (position[step.service_id], step.order)
        )
        for step in steps:
            step.service = self._services[step.service_id]
        return steps

    @cached_property
    def _steps(self) -> dict[int, Step]:
        return {step.pk: step for step in self.steps}

    def service(self, code: str) -> Service | None:
        return next((service for service in self.services if service.code == code), None)

    def attach(self, cases) -> None:
        """Give each case its service and step without a query."""
        for case in cases:
            case.service = self._services[case.service_id]
            case.step = self._steps[case.step_id] if case.step_id else None


class Status(models.TextChoices):
    OPEN = "open", _("Baru")
    IN_PROGRESS = "in_progress", _("Berjalan")
    SUBMITTED = "submitted", _("Diajukan")
    DONE = "done", _("Selesai")
    REJECTED = "rejected", _("Ditolak")
    CANCELLED = "cancelled", _("Dibatalkan")


# The moves a case may make; anything else is refused.
TRANSITIONS = {
    Status.OPEN: {Status.IN_PROGRESS, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.SUBMITTED, Status.CANCELLED},
    Status.SUBMITTED: {Status.DONE, Status.REJECTED, Status.IN_PROGRESS},
    Status.REJECTED: {Status.IN_PROGRESS, Status.CANCELLED},
    Status.CANCELLED: {Status.OPEN},
    Status.DONE: set(),
}
ACTIVE_STATUSES = [Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED]
NEEDS_REASON = {Status.REJECTED, Status.CANCELLED}


class IllegalMove(Exception):
    """A status or step change the case's rules do not allow; the message says why."""


class CaseQuerySet(AreaScopedQuerySet):
    village_path = "business__village"

    def active(self) -> "CaseQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def stalled(self) -> "CaseQuerySet":
        return self.active().filter(last_activity_at__lt=stalled_cutoff())


class Case(VersionedModel):
    # Which business fields a done case of these services fills in.
    LEGAL_FIELDS = {
        "nib": ("nib_number", "nib_date", None),
        "pirt": ("pirt_number", None, "pirt_expiry"),
        "halal": ("halal_number", "halal_date", None),
    }

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="cases", verbose_name=_("usaha")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("layanan")
    )
    mentor = models.ForeignKey(
        Mentor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("Patriot Desa"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.OPEN, db_index=True
    )
    step = models.ForeignKey(
        Step,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tahap saat ini"),
    )
    opened_on = models.DateField(_("tanggal mulai"), default=timezone.localdate)
    submitted_on = models.DateField(_("tanggal diajukan"), null=True, blank=True)
    closed_on = models.DateField(_("tanggal ditutup"), null=True, blank=True)
    outcome_number = models.CharField(_("nomor hasil"), max_length=50, blank=True)
    outcome_date = models.DateField(_("tanggal terbit"), null=True, blank=True)
    outcome_expiry = models.DateField(_("berlaku sampai"), null=True, blank=True)
    reason = models.TextField(_("alasan ditolak/dibatalkan"), blank=True)
    # A done NIB, PIRT or halal case counts as "terverifikasi" once a staff member other than
    # its closer has checked its certificate (see verify_outcome and send_back).
    outcome_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hasil diverifikasi oleh"),
    )
    outcome_verified_at = models.DateTimeField(_("hasil diverifikasi pada"), null=True, blank=True)
    # Kept on the row (not computed from the timeline) so "Tugas saya" and the stalled filter
    # sort and filter on an index.
    last_activity_at = models.DateTimeField(_("aktivitas terakhir"), default=timezone.now)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["last_activity_at"])
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at"]
        verbose_name = _("kasus pendampingan")
        verbose_name_plural = _("kasus pendampingan")
        permissions = [("verify_outcome", _("Memverifikasi hasil pendampingan"))]
        constraints = [
            models.UniqueConstraint(fields=["business", "service"], name="one_case_per_service")
        ]
        indexes = [
            models.Index(fields=["last_activity_at", "id"]),  # the lists' order (keyset pages)
            # The reports' counts read an area's cases from this index alone (no table reads,
            # which at national size are scattered over the whole table).
            models.Index(
                fields=["business", "service"],
                include=[
                    "id",
                    "status",
                    "step",
                    "mentor",
                    "opened_on",
                    "submitted_on",
                    "closed_on",
                    "last_activity_at",
                    "outcome_verified_at",
                ],
                name="case_figures_idx",
            ),
            models.Index(fields=["status", "last_activity_at"]),
            # A board column and the service + status list: filtered and ordered by the index.
            models.Index(fields=["service", "status", "last_activity_at"]),
            models.Index(fields=["mentor", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.business}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_stalled(self) -> bool:
        return self.is_active and self.last_activity_at < stalled_cutoff()

    @cached_property
    def steps(self) -> list[Step]:
        return list(self.service.steps.all())

    @property
    def next_step(self) -> Step | None:
        current = self.step.order if self.step else 0
        return next((s for s in self.steps if s.order > current), None)

    @property
    def progress(self) -> int:
        """Percent of steps reached; a done case is 100."""
        if self.status == Status.DONE:
            return 100
        if not self.steps or not self.step:
            return 0
        return round(
            100 * sum(1 for s in self.steps if s.order <= self.step.order) / len(self.steps)
        )

    def allowed_moves(self) -> list[str]:
        return [s for s in Status.values if s in TRANSITIONS[Status(self.status)]]

    # Actions: each checks the rules, changes the case and writes its timeline entry. The caller
    # saves the case (with save_versioned) in the same transaction.

    def move_to_step(self, step: Step, *, by, note: str = "") -> "CaseEvent":
        if step.service_id != self.service_id:
            raise IllegalMove(_("Tahap itu bukan milik layanan ini."))
        if self.status not in (Status.OPEN, Status.IN_PROGRESS):
            raise IllegalMove(_("Tahap hanya bisa diubah saat kasus berstatus Baru atau Berjalan."))
        if self.step_id == step.pk:
            raise IllegalMove(_("Kasus sudah berada di tahap itu."))
        # Forward one step at a time; going back (to correct a mistake) is allowed.
        current = self.step.order if self.step else 0
        if step.order > current and step != self.next_step:
            raise IllegalMove(
                _("Tahap tidak boleh dilompati: selesaikan dulu tahap %(step)s.")
                % {"step": self.next_step}
            )
        previous_status = self.status
        self.step = step
        if self.status == Status.OPEN:
            self.status = Status.IN_PROGRESS
        return self._event(
            CaseEvent.Kind.STEP, by, text=note, step=step, from_status=previous_status
        )

    def move_to(self, status: str, *, by, reason: str = "", outcome: dict | None = None):
        status = Status(status)
        if status not in TRANSITIONS[Status(self.status)]:
            raise IllegalMove(
                _("Status tidak bisa diubah dari %(old)s ke %(new)s.")
                % {"old": self.get_status_display(), "new": status.label}
            )
        if status in NEEDS_REASON and not reason.strip():
            raise IllegalMove(_("Tuliskan alasan penolakan atau pembatalan."))
        outcome = outcome or {}
        if status == Status.DONE and self.service.outcome_required and not outcome.get("number"):
            raise IllegalMove(
                _("Isi nomor %(service)s yang terbit sebelum menutup kasus.")
                % {"service": self.service.name}
            )
        previous = self.status
        today = timezone.localdate()
        self.status = status
        if status == Status.SUBMITTED:
            self.submitted_on = today
        if status in (Status.DONE, Status.REJECTED, Status.CANCELLED):
            self.closed_on = today
            self.reason = reason.strip()
        else:
            self.closed_on = None
        if status == Status.DONE:
            self.outcome_number = outcome.get("number", "")
            self.outcome_date = outcome.get("date") or today
            self.outcome_expiry = outcome.get("expiry")
            if self.steps:
                self.step = self.steps[-1]
            self._write_outcome_to_business()
        return self._event(
            CaseEvent.Kind.STATUS, by, text=reason.strip(), from_status=previous, to_status=status
        )

    def add_note(self, text: str, *, by) -> "CaseEvent":
        if not text.strip():
            raise IllegalMove(_("Catatan kosong."))
        return self._event(CaseEvent.Kind.NOTE, by, text=text.strip())

    # Outcome review: a done NIB, PIRT or halal case is checked by a second staff member.

    @property
    def needs_outcome_review(self) -> bool:
        return self.status == Status.DONE and self.service.code in self.LEGAL_FIELDS

    @property
    def outcome_verified(self) -> bool:
        return self.outcome_verified_at is not None

    def closed_by_id(self) -> int | None:
        """Who closed the case as done: the user of its latest move to done."""
        return (
            self.events.filter(kind=CaseEvent.Kind.STATUS, to_status=Status.DONE)
            .order_by("-at", "-pk")
            .values_list("by", flat=True)
            .first()
        )

    def _check_reviewable(self, by) -> None:
        if not self.needs_outcome_review:
            raise IllegalMove(
                _("Hanya hasil kasus NIB, PIRT, atau halal yang selesai diverifikasi.")
            )
        if self.outcome_verified:
            raise IllegalMove(_("Hasil kasus ini sudah diverifikasi."))
        if by.pk == self.closed_by_id():
            raise IllegalMove(
                _("Anda yang menutup kasus ini: hasilnya diverifikasi oleh staf lain.")
            )

    def verify_outcome(self, *, by) -> "CaseEvent":
        self._check_reviewable(by)
        if not self.documents.filter(kind=CaseDocument.Kind.CERTIFICATE).exists():
            raise IllegalMove(
                _("Unggah dulu dokumen jenis Sertifikat / izin sebelum memverifikasi hasilnya.")
            )
        self.outcome_verified_by = by
        self.outcome_verified_at = timezone.now()
        return self._event(CaseEvent.Kind.REVIEW, by)

    def send_back(self, *, by, reason: str) -> "CaseEvent":
        """Refuse the recorded outcome: the case is running again, with the reason on it. The
        number it wrote to the business stays until the case is closed again (it may be right
        and only its certificate missing)."""
        self._check_reviewable(by)
        if not reason.strip():
            raise IllegalMove(_("Tuliskan alasan pengembalian."))
        self.status = Status.IN_PROGRESS
        self.closed_on = None
        self.reason = reason.strip()
        return self._event(
            CaseEvent.Kind.STATUS,
            by,
            text=reason.strip(),
            from_status=Status.DONE,
            to_status=Status.IN_PROGRESS,
        )

    @property
    def working_days_taken(self) -> int | None:
        """Working days from submission to closing (or to today while it waits); a done case
        without a submission date counts from its opening."""
        if self.status in (Status.REJECTED, Status.CANCELLED):
            return None
        start = self.submitted_on or (self.opened_on if self.status == Status.DONE else None)
        if start is None:
            return None
        return working_days(start, self.closed_on or timezone.localdate())

    def _write_outcome_to_business(self) -> None:
        fields = self.LEGAL_FIELDS.get(self.service.code)
        if not fields:
            return
        number_field, date_field, expiry_field = fields
        business = self.business
        setattr(business, number_field, self.outcome_number)
        changed = [number_field]
        if date_field:
            setattr(business, date_field, self.outcome_date)
            changed.append(date_field)
        if expiry_field:
            setattr(business, expiry_field, self.outcome_expiry)
            changed.append(expiry_field)
        business.version += 1
        business.save(update_fields=[*changed, "version", "updated_at"])

    def _event(self, kind: str, by, **fields) -> "CaseEvent":
        self.last_activity_at = timezone.now()
        return CaseEvent(case=self, kind=kind, by=by, at=self.last_activity_at, **fields)


class CaseEventQuerySet(AreaScopedQuerySet):
    village_path = "case__business__village"


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Kasus dibuka")
        STEP = "step", _("Tahap")
        STATUS = "status", _("Status")
        NOTE = "note", _("Catatan")
        DOCUMENT = "document", _("Dokumen")
        SYSTEM = "system", _("Sistem")  # written by a scheduled task, not by a person
        REVIEW = "review", _("Hasil diverifikasi")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    step = models.ForeignKey(
        Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Status, blank=True)
    to_status = models.CharField(max_length=12, choices=Status, blank=True)
    text = models.TextField(blank=True)
    document = models.ForeignKey(
        "CaseDocument", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("riwayat kasus")
        verbose_name_plural = _("riwayat kasus")
        indexes = [
            models.Index(fields=["case", "at"], include=["kind"], name="caseevent_case_at_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CaseDocumentQuerySet(AreaScopedQuerySet):
    village_path = "case__business__village"


class CaseDocument(PrivateDocument):
    class Kind(models.TextChoices):
        CERTIFICATE = "sertifikat", _("Sertifikat / izin")
        LABEL = "label", _("Desain label / kemasan")
        PHOTO = "foto", _("Foto")
        FORM = "formulir", _("Formulir / bukti pengajuan")
        OTHER = "lainnya", _("Lainnya")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("kasus")
    )
    kind = models.CharField(_("jenis dokumen"), max_length=12, choices=Kind, default=Kind.OTHER)

    objects = CaseDocumentQuerySet.as_manager()

    class Meta(PrivateDocument.Meta):
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")

    def get_absolute_url(self) -> str:
        return reverse("assistance:document", args=[self.pk])

    def folder(self) -> str:
        return f"kasus/{self.case_id}"


class VisitQuerySet(AreaScopedQuerySet):
    village_path = "village"


class Visit(models.Model):
    """A mentor's visit (kunjungan) to a village: who was visited and what was done."""

    mentor = models.ForeignKey(
        Mentor, on_delete=models.PROTECT, related_name="visits", verbose_name=_("Patriot Desa")
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("desa"),
    )
    date = models.DateField(_("tanggal kunjungan"), default=timezone.localdate, db_index=True)
    businesses = models.ManyToManyField(
        Business, blank=True, related_name="visits", verbose_name=_("usaha yang dikunjungi")
    )
    activities = models.TextField(_("yang dikerjakan"))
    notes = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[businesses])
    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("kunjungan")
        verbose_name_plural = _("kunjungan")
        indexes = [
            models.Index(fields=["village", "date"]),
            models.Index(fields=["mentor", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:visit", args=[self.pk])


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    return f"kunjungan/{instance.visit_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class VisitPhotoQuerySet(AreaScopedQuerySet):
    village_path = "visit__village"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = PhotoField(_("foto"), storage=private_storage, upload_to=visit_photo_path)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("foto kunjungan")
        verbose_name_plural = _("foto kunjungan")

    def __str__(self) -> str:
        return f"{self.visit} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:visit_photo", args=[self.pk])


class VerificationResult(models.TextChoices):
    FOUND = "ditemukan", _("Ditemukan, data benar")
    CORRECTED = "dikoreksi", _("Ditemukan, data dikoreksi")
    MOVED = "pindah", _("Pindah")
    CLOSED = "tutup", _("Tutup")
    NOT_FOUND = "tidak_ditemukan", _("Tidak ditemukan")


def records_to_verify(businesses: models.QuerySet) -> models.QuerySet:
    """The records field verification is for: those imported from SIDT (a business with a SIDT
    id). The one place to widen it to every business later."""
    return businesses.exclude(sidt_id="")


def is_record_to_verify(business: Business) -> bool:
    """`records_to_verify` for one loaded business."""
    return bool(business.sidt_id)


def has_verification() -> Exists:
    return Exists(Verification.objects.filter(business=OuterRef("pk")))


def unverified(businesses: models.QuerySet) -> models.QuerySet:
    """Records to verify that no mentor has verified yet ("belum diverifikasi")."""
    return records_to_verify(businesses).filter(~Q(has_verification()))


class VerificationQuerySet(AreaScopedQuerySet):
    village_path = "business__village"


def verification_photo_path(instance: "Verification", filename: str) -> str:
    return f"verifikasi/{instance.business_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class Verification(models.Model):
    """A mentor's check of a business in the field (pemutakhiran data). The newest of a
    business is its state; a business without one is not verified."""

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("usaha")
    )
    result = models.CharField(_("hasil"), max_length=16, choices=VerificationResult)
    date = models.DateField(_("tanggal verifikasi"), default=timezone.localdate)
    note = models.TextField(_("catatan"), blank=True)
    photo = PhotoField(
        _("foto"), storage=private_storage, upload_to=verification_photo_path, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("diverifikasi oleh"),
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("verifikasi lapangan")
        verbose_name_plural = _("verifikasi lapangan")
        indexes = [
            # A business's newest verification, and "has one" for the counts, from the index.
            models.Index(fields=["business", "created_at"], name="verification_business_idx")
        ]

    def __str__(self) -> str:
        return f"{self.business} – {self.get_result_display()} {self.date:%Y-%m-%d}"

    def get_photo_url(self) -> str:
        return reverse("assistance:verification_photo", args=[self.pk])
