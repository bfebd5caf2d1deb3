"""Cooperatives, One District One Cooperative, kecamatan partners (camat, TP PKK), the SIPD budget
nomenclature and the activities the office and the kecamatan run with their budgets."""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from businesses.models import Business
from core.concurrency import VersionedModel
from core.files import PrivateDocument
from core.validators import normalize_phone, validate_phone
from villages.access import AreaScopedQuerySet
from villages.models import District, Village

YEAR = [MinValueValidator(1945), MaxValueValidator(2100)]


def rat_cutoff(today: date | None = None) -> date:
    """A RAT held before this date is more than two (calendar) years back: this year's and last
    year's are both missing."""
    today = today or timezone.localdate()
    return date(today.year - 1, 1, 1)


class CooperativeType(models.TextChoices):
    SAVINGS = "simpan_pinjam", _("Simpan pinjam")
    CONSUMER = "konsumen", _("Konsumen")
    PRODUCER = "produsen", _("Produsen")
    MARKETING = "pemasaran", _("Pemasaran")
    SERVICE = "jasa", _("Jasa")


class HealthRating(models.TextChoices):
    HEALTHY = "sehat", _("Sehat")
    FAIR = "cukup_sehat", _("Cukup sehat")
    SUPERVISED = "dalam_pengawasan", _("Dalam pengawasan")
    SPECIAL = "pengawasan_khusus", _("Dalam pengawasan khusus")


class CooperativeQuerySet(AreaScopedQuerySet):
    district_path = "district"

    def at_risk(self, today: date | None = None) -> "CooperativeQuerySet":
        """Active cooperatives with no RAT in this or last calendar year."""
        return self.filter(is_active=True).filter(
            Q(last_rat_date__isnull=True) | Q(last_rat_date__lt=rat_cutoff(today))
        )

    def search(self, text: str) -> "CooperativeQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(registry_number__startswith=text)
            | Q(chair_name__icontains=text)
        )


class Cooperative(VersionedModel):
    name = models.CharField(_("nama koperasi"), max_length=200)
    registry_number = models.CharField(
        _("Nomor Induk Koperasi (NIK)"), max_length=30, blank=True, db_index=True
    )
    legal_entity_number = models.CharField(_("nomor badan hukum"), max_length=100, blank=True)
    legal_entity_date = models.DateField(_("tanggal badan hukum"), null=True, blank=True)
    type = models.CharField(_("jenis"), max_length=20, choices=CooperativeType, db_index=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="cooperatives",
        verbose_name=_("kecamatan"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperatives",
        verbose_name=_("desa"),
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    chair_name = models.CharField(_("ketua"), max_length=150, blank=True)
    contact_phone = models.CharField(
        _("nomor HP kontak"), max_length=16, blank=True, validators=[validate_phone]
    )
    members_male = models.PositiveIntegerField(_("anggota laki-laki"), default=0)
    members_female = models.PositiveIntegerField(_("anggota perempuan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True, db_index=True)
    last_rat_year = models.PositiveSmallIntegerField(
        _("tahun buku RAT terakhir"), null=True, blank=True, validators=YEAR
    )
    last_rat_date = models.DateField(
        _("tanggal RAT terakhir"), null=True, blank=True, db_index=True
    )
    health_rating = models.CharField(
        _("predikat kesehatan"), max_length=20, choices=HealthRating, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CooperativeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("koperasi")
        verbose_name_plural = _("koperasi")
        indexes = [
            models.Index(fields=["name", "id"]),  # the list's order (keyset pages)
            models.Index(fields=["district", "type"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.village_id and self.district_id and self.village.district_id != self.district_id:
            raise ValidationError({"village": _("Desa ini bukan di kecamatan yang dipilih.")})
        if (
            self.last_rat_date
            and self.last_rat_year
            and self.last_rat_year > self.last_rat_date.year
        ):
            raise ValidationError(
                {"last_rat_year": _("Tahun buku RAT tidak boleh sesudah tanggal RAT-nya.")}
            )
        if self.last_rat_date and self.last_rat_date > timezone.localdate():
            raise ValidationError({"last_rat_date": _("Tanggal RAT tidak boleh di masa depan.")})

    def save(self, *args, **kwargs) -> None:
        self.contact_phone = normalize_phone(self.contact_phone) if self.contact_phone else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:detail", args=[self.pk])

    @property
    def members(self) -> int:
        return self.members_male + self.members_female

    @property
    def is_at_risk(self) -> bool:
        if not self.is_active:
            return False
        return self.last_rat_date is None or self.last_rat_date < rat_cutoff()

    @property
    def registry_warning(self) -> str:
        """Public samples of the Nomor Induk Koperasi have 16 digits (unconfirmed): warn only."""
        if self.registry_number and not re.fullmatch(r"\d{16}", self.registry_number):
            return str(_("Nomor Induk Koperasi biasanya 16 digit angka."))
        return ""


class FlagshipQuerySet(AreaScopedQuerySet):
    district_path = "district"


class Flagship(models.Model):
    """One District, One Cooperative: at most one flagship cooperative per kecamatan per year."""

    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="flagships",
        verbose_name=_("kecamatan"),
    )
    year = models.PositiveSmallIntegerField(_("tahun"), validators=YEAR)
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="flagships",
        verbose_name=_("koperasi"),
    )
    reason = models.TextField(_("alasan"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FlagshipQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "district__name"]
        verbose_name = _("koperasi unggulan kecamatan")
        verbose_name_plural = _("koperasi unggulan kecamatan")
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="one_flagship_per_year")
        ]
        indexes = [models.Index(fields=["year"])]  # the overview filters by year alone

    def __str__(self) -> str:
        return f"{self.district} {self.year}: {self.cooperative}"

    def clean(self) -> None:
        if self.cooperative_id and self.district_id:
            if self.cooperative.district_id != self.district_id:
                raise ValidationError(
                    {"cooperative": _("Koperasi unggulan harus dari kecamatan itu sendiri.")}
                )
            if not self.cooperative.is_active:
                raise ValidationError(
                    {"cooperative": _("Koperasi yang tidak aktif tidak bisa jadi unggulan.")}
                )


class PartnerQuerySet(AreaScopedQuerySet):
    district_path = "district"


class KecamatanPartner(VersionedModel):
    """A contact of the kecamatan in cooperative empowerment: the camat, the TP PKK and others."""

    ROLES = [
        ("camat", _("Camat")),
        ("sekcam", _("Sekretaris Kecamatan")),
        ("kasi", _("Kasi Ekonomi/Pembangunan")),
        ("ketua_pkk", _("Ketua TP PKK Kecamatan")),
        ("pkk", _("Pengurus TP PKK Kecamatan")),
        ("lainnya", _("Lainnya")),
    ]

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="partners", verbose_name=_("kecamatan")
    )
    role = models.CharField(_("peran"), max_length=12, choices=ROLES)
    name = models.CharField(_("nama"), max_length=150)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True, validators=[validate_phone])
    notes = models.CharField(_("keterangan"), max_length=200, blank=True)
    is_active = models.BooleanField(_("masih menjabat"), default=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "role", "name"]
        verbose_name = _("mitra kecamatan")
        verbose_name_plural = _("mitra kecamatan")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()} {self.district})"

    def save(self, *args, **kwargs) -> None:
        self.phone = normalize_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)


SIPD_CODE = RegexValidator(
    r"^\d\.\d{2}\.\d{2}(\.\d\.\d{2}(\.\d{4})?)?$",
    _("Kode SIPD seperti 2.17.07 (program), 2.17.07.2.01 (kegiatan) atau 2.17.07.2.01.0004."),
)


class SipdLevel(models.TextChoices):
    PROGRAM = "program", _("Program")
    ACTIVITY = "kegiatan", _("Kegiatan")
    SUB_ACTIVITY = "sub_kegiatan", _("Sub-kegiatan")


class SipdCode(models.Model):
    """An entry of the SIPD nomenclature (urusan.bidang.program.level.kegiatan.sub-kegiatan).

    Reference data: seeded from DOMAIN.md, edited and imported by the office as it is revised.
    """

    code = models.CharField(_("kode"), max_length=20, unique=True, validators=[SIPD_CODE])
    name = models.CharField(_("nomenklatur"), max_length=255)
    is_active = models.BooleanField(_("berlaku"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kode SIPD")
        verbose_name_plural = _("kode SIPD")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> str:
        parts = self.code.count(".") + 1
        return {3: SipdLevel.PROGRAM, 5: SipdLevel.ACTIVITY}.get(parts, SipdLevel.SUB_ACTIVITY)


class ActivityKind(models.TextChoices):
    BUSINESS_TRAINING = "pelatihan_usaha", _("Pelatihan keterampilan usaha")
    COOP_TRAINING = "pelatihan_koperasi", _("Pelatihan perkoperasian")
    BAZAAR = "bazar", _("Bazar produk koperasi dan UMKM")
    EQUIPMENT = "pengadaan", _("Pengadaan sarana (tenda, genset, …)")
    MENTORING = "pendampingan", _("Pendampingan")
    FGD = "fgd", _("FGD")


class Organiser(models.TextChoices):
    DINKOP = "dinkop", _("Dinas Koperasi dan UKM")
    KECAMATAN = "kecamatan", _("Kecamatan")
    PKK = "tp_pkk", _("TP PKK")


class ActivityStatus(models.TextChoices):
    PLANNED = "rencana", _("Rencana")
    HELD = "terlaksana", _("Terlaksana")
    CANCELLED = "batal", pgettext_lazy("status kegiatan", "Batal")


class ActivityQuerySet(AreaScopedQuerySet):
    district_path = "district"
    viewer_writes = True  # the camat and TP PKK record their kecamatan's activities

    def in_year(self, year: int) -> "ActivityQuerySet":
        return self.filter(fiscal_year=year)

    def budget_totals(self, *group_by: str):
        """Ceiling, realised, and planned vs. held counts, grouped (one query)."""
        return (
            self.exclude(status=ActivityStatus.CANCELLED)
            .values(*group_by)
            .annotate(
                ceiling=Sum("budget_ceiling"),
                realised=Sum("realised"),
                planned=models.Count("pk", filter=Q(status=ActivityStatus.PLANNED)),
                held=models.Count("pk", filter=Q(status=ActivityStatus.HELD)),
            )
            .order_by(*group_by)
        )


class Activity(VersionedModel):
    title = models.CharField(_("nama kegiatan"), max_length=200)
    kind = models.CharField(_("jenis kegiatan"), max_length=20, choices=ActivityKind, db_index=True)
    sipd = models.ForeignKey(
        SipdCode,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("sub-kegiatan SIPD"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("tahun anggaran"), validators=YEAR, db_index=True
    )
    budget_ceiling = models.PositiveBigIntegerField(_("pagu (Rp)"), default=0)
    realised = models.PositiveBigIntegerField(_("realisasi (Rp)"), default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus,
        default=ActivityStatus.PLANNED,
        db_index=True,
    )
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(_("tanggal selesai"), null=True, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("kecamatan"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("desa"),
    )
    organiser = models.CharField(_("penyelenggara"), max_length=12, choices=Organiser)
    outcome = models.TextField(_("catatan hasil"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("kegiatan koperasi")
        verbose_name_plural = _("kegiatan koperasi")
        indexes = [
            models.Index(fields=["fiscal_year", "start_date", "id"]),  # a year's list, in order
            models.Index(fields=["fiscal_year", "district"]),
            models.Index(fields=["fiscal_year", "sipd"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(realised__lte=F("budget_ceiling")), name="realised_within_ceiling"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.realised > self.budget_ceiling:
            errors["realised"] = _("Realisasi tidak boleh melebihi pagu.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
        if self.village_id and self.district_id and self.village.district_id != self.district_id:
            errors["village"] = _("Desa ini bukan di kecamatan yang dipilih.")
        if self.sipd_id and self.sipd.level != SipdLevel.SUB_ACTIVITY:
            errors["sipd"] = _("Pilih kode sub-kegiatan (6 bagian, mis. 2.17.06.2.01.0009).")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:activity", args=[self.pk])

    @property
    def absorbed(self) -> float | None:
        return 100 * self.realised / self.budget_ceiling if self.budget_ceiling else None


class Participation(models.Model):
    """A cooperative or a business taking part, with attendance by gender."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("koperasi"),
    )
    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperative_participations",
        verbose_name=_("usaha"),
    )
    attendees_male = models.PositiveIntegerField(_("peserta laki-laki"), default=0)
    attendees_female = models.PositiveIntegerField(_("peserta perempuan"), default=0)

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        constraints = [
            models.CheckConstraint(
                condition=Q(cooperative__isnull=False) | Q(business__isnull=False),
                name="participant_is_cooperative_or_business",
            )
        ]

    def __str__(self) -> str:
        return str(self.cooperative or self.business)

    def clean(self) -> None:
        if not self.cooperative_id and not self.business_id:
            raise ValidationError(_("Pilih koperasi atau usaha."))


class Equipment(models.Model):
    """Equipment handed over in an activity (tents, generators…)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="equipment")
    item = models.CharField(_("barang"), max_length=150)
    quantity = models.PositiveIntegerField(_("jumlah"), validators=[MinValueValidator(1)])
    unit_cost = models.PositiveBigIntegerField(_("harga satuan (Rp)"))
    recipient = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="equipment_received",
        verbose_name=_("koperasi penerima"),
    )

    class Meta:
        verbose_name = _("sarana diserahkan")
        verbose_name_plural = _("sarana diserahkan")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"

    @property
    def total(self) -> int:
        return self.quantity * self.unit_cost


class ActivityDocumentQuerySet(AreaScopedQuerySet):
    district_path = "activity__district"


class ActivityDocument(PrivateDocument):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="documents")

    objects = ActivityDocumentQuerySet.as_manager()

    class Meta(PrivateDocument.Meta):
        verbose_name = _("dokumen kegiatan")
        verbose_name_plural = _("dokumen kegiatan")

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:document", args=[self.pk])

    def folder(self) -> str:
        return f"kegiatan/{self.activity_id}"
