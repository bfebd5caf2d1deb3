"""Micro-businesses in the villages, their products and their legal status."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.access import AreaScopedQuerySet
from villages.concurrency import VersionedModel
from villages.models import Village
from villages.validators import normalize_phone, validate_phone

from .validators import mask_nik, validate_kbli, validate_nik

PIRT_EXPIRY_WARNING_DAYS = 90


class Sector(models.TextChoices):
    FOOD = "makanan", _("Makanan dan minuman")
    CRAFT = "kerajinan", _("Kerajinan")
    FASHION = "fesyen", _("Fesyen dan tekstil")
    AGRICULTURE = "pertanian", _("Pertanian dan perkebunan")
    FISHERY = "perikanan", _("Perikanan dan peternakan")
    TRADE = "perdagangan", _("Perdagangan (warung, toko)")
    SERVICE = "jasa", _("Jasa")
    OTHER = "lainnya", _("Lainnya")


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class LegalGap(models.TextChoices):
    """The list filter 'what is this business still missing'."""

    NO_NIB = "nib", _("Belum punya NIB")
    NO_HALAL = "halal", _("Belum bersertifikat halal")
    NO_PIRT = "pirt", _("Pangan tanpa PIRT")
    PIRT_EXPIRING = "pirt_habis", _("PIRT habis ≤ 90 hari atau sudah lewat")


class BusinessQuerySet(AreaScopedQuerySet):
    village_path = "village"

    def search(self, text: str) -> "BusinessQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(owner_name__icontains=text)
            | Q(pk__in=Product.objects.filter(name__icontains=text).values("business"))
        )

    def with_gap(self, gap: str) -> "BusinessQuerySet":
        if gap == LegalGap.NO_NIB:
            return self.filter(nib_number="")
        if gap == LegalGap.NO_HALAL:
            return self.filter(halal_number="", sector=Sector.FOOD)
        if gap == LegalGap.NO_PIRT:
            return self.filter(pirt_number="", sector=Sector.FOOD)
        if gap == LegalGap.PIRT_EXPIRING:
            soon = timezone.localdate() + timedelta(days=PIRT_EXPIRY_WARNING_DAYS)
            return self.exclude(pirt_number="").filter(pirt_expiry__lte=soon)
        return self

    def in_extreme_poverty_villages(self) -> "BusinessQuerySet":
        return self.filter(village__extreme_poverty_year__isnull=False)


class Business(VersionedModel):
    name = models.CharField(_("nama usaha"), max_length=150)
    owner_name = models.CharField(_("nama pemilik"), max_length=150)
    owner_nik = models.CharField(
        _("NIK pemilik"), max_length=16, blank=True, validators=[validate_nik], db_index=True
    )
    owner_gender = models.CharField(_("jenis kelamin pemilik"), max_length=1, choices=Gender)
    phone = models.CharField(
        _("nomor HP/WhatsApp"), max_length=16, blank=True, validators=[validate_phone]
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="businesses", verbose_name=_("desa")
    )
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector, db_index=True)
    kbli = models.CharField(_("KBLI"), max_length=5, blank=True, validators=[validate_kbli])
    employees = models.PositiveSmallIntegerField(
        _("jumlah tenaga kerja"), default=1, validators=[MaxValueValidator(1000)]
    )
    monthly_turnover = models.PositiveBigIntegerField(
        _("omzet per bulan (Rp)"), null=True, blank=True
    )
    nib_number = models.CharField(_("nomor NIB"), max_length=20, blank=True, db_index=True)
    nib_date = models.DateField(_("tanggal NIB"), null=True, blank=True)
    pirt_number = models.CharField(_("nomor PIRT"), max_length=25, blank=True, db_index=True)
    pirt_expiry = models.DateField(_("PIRT berlaku sampai"), null=True, blank=True, db_index=True)
    halal_number = models.CharField(
        _("nomor sertifikat halal"), max_length=50, blank=True, db_index=True
    )
    halal_date = models.DateField(_("tanggal sertifikat halal"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("usaha mikro")
        verbose_name_plural = _("usaha mikro")
        permissions = [("view_nik", _("Melihat NIK lengkap"))]
        indexes = [
            models.Index(fields=["village", "name"]),
            models.Index(fields=["village", "sector"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.phone = normalize_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("businesses:detail", args=[self.pk])

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.owner_nik)

    @property
    def whatsapp_url(self) -> str:
        return f"https://wa.me/{self.phone.lstrip('+')}" if self.phone else ""

    @property
    def pirt_expiring(self) -> bool:
        if not self.pirt_number or not self.pirt_expiry:
            return False
        soon = timezone.localdate() + timedelta(days=PIRT_EXPIRY_WARNING_DAYS)
        return self.pirt_expiry <= soon

    def legal_gaps(self) -> list[str]:
        gaps = []
        if not self.nib_number:
            gaps.append(LegalGap.NO_NIB.label)
        if self.sector == Sector.FOOD and not self.halal_number:
            gaps.append(LegalGap.NO_HALAL.label)
        if self.sector == Sector.FOOD and not self.pirt_number:
            gaps.append(LegalGap.NO_PIRT.label)
        if self.pirt_expiring:
            gaps.append(LegalGap.PIRT_EXPIRING.label)
        return gaps


class ProductQuerySet(AreaScopedQuerySet):
    village_path = "business__village"


def product_photo_path(instance: "Product", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"produk/{instance.business_id}/{timezone.now():%Y%m%d%H%M%S}.{extension}"


class Product(VersionedModel):
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="products", verbose_name=_("usaha")
    )
    name = models.CharField(_("nama produk"), max_length=150)
    description = models.TextField(_("keterangan"), blank=True)
    price = models.PositiveBigIntegerField(_("harga (Rp)"), null=True, blank=True)
    photo = models.ImageField(_("foto"), upload_to=product_photo_path, blank=True)
    featured = models.BooleanField(_("produk unggulan"), default=False)

    history = HistoricalRecords()
    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-featured", "name"]
        verbose_name = _("produk")
        verbose_name_plural = _("produk")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("businesses:detail", args=[self.business_id])
