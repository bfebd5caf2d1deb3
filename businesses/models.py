"""Micro-businesses in the villages, their products and their legal status."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.files import private_storage
from core.pagination import estimated_rows
from core.uploads import PhotoField
from core.validators import normalize_phone, validate_phone
from villages.access import AreaScopedQuerySet
from villages.models import Village

from .validators import (
    LATITUDES,
    LONGITUDES,
    age_on,
    mask_nik,
    may_view_nik,
    validate_kbli,
    validate_nik,
    validate_rt_rw,
)

PIRT_EXPIRY_WARNING_DAYS = 90
MIN_START_YEAR = 1900
MONTHS_NEW = 12  # a business that started operating fewer months ago is "new" (PP 7/2021)


def pirt_warning_date():
    """A PIRT expiring on or before this date is flagged (already expired ones too)."""
    return timezone.localdate() + timedelta(days=PIRT_EXPIRY_WARNING_DAYS)


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
    UNKNOWN = "X", _("Tidak diketahui")


class Education(models.TextChoices):
    """Highest formal education, in the levels BPS uses (SIDT's own codes are not published)."""

    UNKNOWN = "", _("Tidak diketahui")
    NONE = "tidak_sekolah", _("Tidak/belum pernah sekolah")
    PRIMARY = "sd", _("SD/MI/sederajat")
    JUNIOR = "smp", _("SMP/MTs/sederajat")
    SENIOR = "sma", _("SMA/SMK/MA/sederajat")
    DIPLOMA = "diploma", _("Diploma I/II/III")
    BACHELOR = "s1", _("Diploma IV/S1")
    MASTER = "s2", _("S2")
    DOCTORATE = "s3", _("S3")


class LegalStatus(models.TextChoices):
    UNKNOWN = "", _("Tidak diketahui")
    NONE = "perorangan", _("Perorangan, tidak berbadan usaha")
    PT_SOLE = "pt_perorangan", _("PT perorangan")
    PT = "pt", _("Perseroan terbatas (PT)")
    CV = "cv", _("Persekutuan komanditer (CV)")
    FIRM = "firma", _("Firma")
    COOPERATIVE = "koperasi", _("Koperasi")
    FOUNDATION = "yayasan", _("Yayasan")
    OTHER = "lainnya", _("Lainnya")


class KbliCategory(models.TextChoices):
    """The 21 sections (kategori) of KBLI, A to U."""

    A = "A", _("A Pertanian, kehutanan dan perikanan")
    B = "B", _("B Pertambangan dan penggalian")
    C = "C", _("C Industri pengolahan")
    D = "D", _("D Pengadaan listrik, gas, uap/air panas dan udara dingin")
    E = "E", _("E Pengelolaan air, air limbah, limbah dan daur ulang sampah")
    F = "F", _("F Konstruksi")
    G = "G", _("G Perdagangan besar dan eceran; reparasi mobil dan sepeda motor")
    H = "H", _("H Pengangkutan dan pergudangan")
    I = "I", _("I Penyediaan akomodasi dan makan minum")  # noqa: E741 - KBLI's letter
    J = "J", _("J Informasi dan komunikasi")
    K = "K", _("K Aktivitas keuangan dan asuransi")
    L = "L", _("L Real estat")
    M = "M", _("M Aktivitas profesional, ilmiah dan teknis")
    N = "N", _("N Aktivitas penyewaan, ketenagakerjaan, agen perjalanan dan penunjang usaha")
    O = "O", _("O Administrasi pemerintahan, pertahanan dan jaminan sosial wajib")  # noqa: E741
    P = "P", _("P Pendidikan")
    Q = "Q", _("Q Aktivitas kesehatan manusia dan aktivitas sosial")
    R = "R", _("R Kesenian, hiburan dan rekreasi")
    S = "S", _("S Aktivitas jasa lainnya")
    T = "T", _("T Aktivitas rumah tangga sebagai pemberi kerja")
    U = "U", _("U Aktivitas badan internasional dan badan ekstra internasional lainnya")


class Scale(models.TextChoices):
    """Business scale by PP 7/2021 art. 35."""

    MICRO = "mikro", _("Mikro")
    SMALL = "kecil", _("Kecil")
    MEDIUM = "menengah", _("Menengah")
    LARGE = "besar", _("Besar")
    UNKNOWN = "tidak_diketahui", _("Tidak diketahui")


BILLION = 1_000_000_000
# Upper bounds (inclusive) of micro, small and medium; above the last is large.
SALES_LIMITS = (2 * BILLION, 15 * BILLION, 50 * BILLION)  # annual sales
CAPITAL_LIMITS = (1 * BILLION, 5 * BILLION, 10 * BILLION)  # capital excluding land and buildings
_SCALES = (Scale.MICRO, Scale.SMALL, Scale.MEDIUM)


def _by_limits(amount: int, limits: tuple[int, int, int]) -> Scale:
    for limit, scale in zip(limits, _SCALES, strict=True):
        if amount <= limit:
            return scale
    return Scale.LARGE


def business_scale(annual_sales: int | None, capital: int | None, *, new: bool = False) -> Scale:
    """The scale by PP 7/2021: by annual sales for a running business, by founding capital for
    one founded or registered less than a year ago (`new`) or whose sales are not known."""
    if capital is not None and (new or annual_sales is None):
        return _by_limits(capital, CAPITAL_LIMITS)
    if annual_sales is not None:
        return _by_limits(annual_sales, SALES_LIMITS)
    return Scale.UNKNOWN


class LegalGap(models.TextChoices):
    """The list filter 'what is this business still missing'."""

    NO_NIB = "nib", _("Belum punya NIB")
    NO_HALAL = "halal", _("Belum bersertifikat halal")
    NO_PIRT = "pirt", _("Pangan tanpa PIRT")
    PIRT_EXPIRING = "pirt_habis", _("PIRT habis ≤ 90 hari atau sudah lewat")


FEW_MATCHES = 1000  # a search matching no more is filtered by its literal ids


def search_condition(text: str) -> Q:
    """Name, owner or a product contains `text`: tested row by row."""
    return (
        Q(name__icontains=text)
        | Q(owner_name__icontains=text)
        | Exists(Product.objects.filter(business=OuterRef("pk"), name__icontains=text))
    )


def search_matches(text: str) -> models.QuerySet:
    """The ids of every business whose name, owner or a product contains `text`: one UNION whose
    parts are each answered by a trigram index on PostgreSQL (migration 0006); an OR of the
    three would scan the whole table."""
    return (
        Business.objects.filter(name__icontains=text)
        .order_by()
        .values("pk")
        .union(
            Business.objects.filter(owner_name__icontains=text).order_by().values("pk"),
            Product.objects.filter(name__icontains=text).order_by().values("business"),
        )
    )


def _workers(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(10000)]
    )


WORKER_FIELDS = (
    "workers_paid_men",
    "workers_paid_women",
    "workers_paid_disabled_men",
    "workers_paid_disabled_women",
    "workers_unpaid_men",
    "workers_unpaid_women",
    "workers_unpaid_disabled_men",
    "workers_unpaid_disabled_women",
)
# Saving any of these recomputes the stored scale.
SCALE_INPUTS = frozenset(
    {"annual_turnover", "monthly_turnover", "founding_capital", "start_month", "start_year"}
)


class BusinessQuerySet(AreaScopedQuerySet):
    village_path = "village"

    def search(
        self, text: str, *, within_area: bool = False, expected: int | None = None
    ) -> "BusinessQuerySet":
        """Businesses whose name, owner or a product contains `text`.

        `within_area`: the queryset is already narrowed to a small area (a mentor's villages, a
        kecamatan); its few rows are then checked directly instead of collecting the matches
        of the whole country first. `expected`: PostgreSQL's estimate of the country's matches
        (`estimated_rows(search_matches(text))`), when the caller already has it."""
        text = text.strip()
        if not text:
            return self
        if within_area:
            return self.filter(search_condition(text))
        matches = search_matches(text)
        if expected is None:
            expected = estimated_rows(matches) or 0
        if expected <= 5 * FEW_MATCHES:
            # Probably few: collected once as literal ids, so that a page and its count do not
            # each run the trigram search again (15 ms each for a name of common syllables).
            ids = [row["pk"] for row in matches.order_by("pk")[: FEW_MATCHES + 1]]
            if len(ids) <= FEW_MATCHES:
                return self.filter(pk__in=ids)
        return self.filter(pk__in=matches)

    def with_gap(self, gap: str) -> "BusinessQuerySet":
        if gap == LegalGap.NO_NIB:
            return self.filter(nib_number="")
        if gap == LegalGap.NO_HALAL:
            return self.filter(halal_number="", sector=Sector.FOOD)
        if gap == LegalGap.NO_PIRT:
            return self.filter(pirt_number="", sector=Sector.FOOD)
        if gap == LegalGap.PIRT_EXPIRING:
            return self.exclude(pirt_number="").filter(pirt_expiry__lte=pirt_warning_date())
        return self

    def of_scale(self, scale: str) -> "BusinessQuerySet":
        return self.filter(scale=scale)

    def in_extreme_poverty_villages(self) -> "BusinessQuerySet":
        return self.filter(village__extreme_poverty_year__isnull=False)

    def publishable(self) -> "BusinessQuerySet":
        """Businesses whose owners agreed to the public showcase."""
        return self.filter(publication_consent=True)


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
    # What the national single database (SIDT KUMKM) holds; businesses/sidt.py maps its columns.
    sidt_id = models.CharField(
        _("ID SIDT (id_data_badan_usaha)"), max_length=64, blank=True, default="", db_default=""
    )
    owner_birth_date = models.DateField(_("tanggal lahir pemilik"), null=True, blank=True)
    owner_disability = models.BooleanField(
        _("pemilik penyandang disabilitas"), null=True, blank=True
    )
    owner_education = models.CharField(
        _("pendidikan formal pemilik"),
        max_length=16,
        choices=Education,
        blank=True,
        default="",
        db_default="",
    )
    owner_address = models.CharField(
        _("alamat pemilik"), max_length=255, blank=True, default="", db_default=""
    )
    owner_rt = models.CharField(
        _("RT pemilik"),
        max_length=3,
        blank=True,
        default="",
        db_default="",
        validators=[validate_rt_rw],
    )
    owner_rw = models.CharField(
        _("RW pemilik"),
        max_length=3,
        blank=True,
        default="",
        db_default="",
        validators=[validate_rt_rw],
    )
    owner_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desa/kelurahan pemilik"),
    )
    rt = models.CharField(
        _("RT usaha"),
        max_length=3,
        blank=True,
        default="",
        db_default="",
        validators=[validate_rt_rw],
    )
    rw = models.CharField(
        _("RW usaha"),
        max_length=3,
        blank=True,
        default="",
        db_default="",
        validators=[validate_rt_rw],
    )
    main_activity = models.CharField(
        _("kegiatan utama"), max_length=255, blank=True, default="", db_default=""
    )
    main_product = models.CharField(
        _("produk utama"), max_length=150, blank=True, default="", db_default=""
    )
    kbli_category = models.CharField(
        _("kategori KBLI"),
        max_length=1,
        choices=KbliCategory,
        blank=True,
        default="",
        db_default="",
    )
    legal_status = models.CharField(
        _("status badan usaha"),
        max_length=16,
        choices=LegalStatus,
        blank=True,
        default="",
        db_default="",
    )
    founding_capital = models.PositiveBigIntegerField(
        _("modal pendirian (Rp, di luar tanah dan bangunan)"), null=True, blank=True
    )
    assets = models.PositiveBigIntegerField(_("aset (Rp)"), null=True, blank=True)
    annual_turnover = models.PositiveBigIntegerField(
        _("omzet per tahun (Rp)"), null=True, blank=True
    )
    start_month = models.PositiveSmallIntegerField(
        _("bulan mulai beroperasi"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    start_year = models.PositiveSmallIntegerField(
        _("tahun mulai beroperasi"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_START_YEAR)],
    )
    latitude = models.DecimalField(
        _("lintang"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDES[0]), MaxValueValidator(LATITUDES[1])],
    )
    longitude = models.DecimalField(
        _("bujur"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDES[0]), MaxValueValidator(LONGITUDES[1])],
    )
    # Workers: empty is "not known", which is not 0.
    workers_paid_men = _workers(_("tenaga kerja dibayar, laki-laki"))
    workers_paid_women = _workers(_("tenaga kerja dibayar, perempuan"))
    workers_paid_disabled_men = _workers(_("tenaga kerja dibayar, laki-laki disabilitas"))
    workers_paid_disabled_women = _workers(_("tenaga kerja dibayar, perempuan disabilitas"))
    workers_unpaid_men = _workers(_("tenaga kerja tidak dibayar, laki-laki"))
    workers_unpaid_women = _workers(_("tenaga kerja tidak dibayar, perempuan"))
    workers_unpaid_disabled_men = _workers(_("tenaga kerja tidak dibayar, laki-laki disabilitas"))
    workers_unpaid_disabled_women = _workers(_("tenaga kerja tidak dibayar, perempuan disabilitas"))
    # PP 7/2021 scale: computed on save (business_scale) and indexed for the filter and counts;
    # beside it what the source (SIDT's skala_usaha) said.
    scale = models.CharField(
        _("skala usaha"),
        max_length=16,
        choices=Scale,
        default=Scale.UNKNOWN,
        db_default=Scale.UNKNOWN,
        db_index=True,
        editable=False,
    )
    scale_reported = models.CharField(
        _("skala usaha menurut sumber data"),
        max_length=16,
        choices=Scale,
        blank=True,
        default="",
        db_default="",
    )
    # Consent to show the business's products on the public showcase (name, products, prices,
    # photos and a WhatsApp order link; never NIK or address). Recorded by the mentor.
    publication_consent = models.BooleanField(
        _("setuju produknya ditampilkan di etalase publik"), default=False, db_index=True
    )
    consent_date = models.DateField(_("tanggal persetujuan"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persetujuan dicatat oleh"),
    )
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
    history_masked_fields = ("owner_nik", "owner_birth_date")
    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("usaha mikro")
        verbose_name_plural = _("usaha mikro")
        permissions = [
            ("view_nik", _("Melihat NIK lengkap")),
            ("exchange_sidt", _("Mengimpor dan mengekspor data SIDT KUMKM")),
            ("export_sidt_nik", _("Mengekspor NIK lengkap ke SIDT")),
        ]
        indexes = [
            models.Index(fields=["name", "id"]),  # the list's order (keyset pages)
            models.Index(fields=["village", "id"]),  # an area's businesses, from the index alone
            models.Index(fields=["village", "name"]),
            models.Index(fields=["village", "sector"]),
            models.Index(fields=["village", "scale"]),  # an area's counts by scale
            # An area's SIDT records (field verification's progress per village).
            models.Index(
                fields=["village", "id"], condition=~Q(sidt_id=""), name="business_sidt_village_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sidt_id"], condition=~Q(sidt_id=""), name="business_unique_sidt_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.phone = normalize_phone(self.phone) if self.phone else ""
        self.scale = self.computed_scale()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SCALE_INPUTS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "scale"}
        super().save(*args, **kwargs)

    @property
    def annual_sales(self) -> int | None:
        """Annual sales: SIDT's annual turnover, else 12 × the monthly turnover (an estimate)."""
        if self.annual_turnover is not None:
            return self.annual_turnover
        if self.monthly_turnover is not None:
            return 12 * self.monthly_turnover
        return None

    @property
    def annual_sales_estimated(self) -> bool:
        return self.annual_turnover is None and self.monthly_turnover is not None

    def is_new(self, today: date | None = None) -> bool:
        """Started operating fewer than 12 months ago (by its start month, or January)."""
        if not self.start_year:
            return False
        today = today or timezone.localdate()
        months = (today.year - self.start_year) * 12 + today.month - (self.start_month or 1)
        return months < MONTHS_NEW

    def computed_scale(self, today: date | None = None) -> str:
        return business_scale(
            self.annual_sales, self.founding_capital, new=self.is_new(today)
        ).value

    @property
    def scale_mismatch(self) -> bool:
        """The source reported a scale that the figures held here do not give."""
        return bool(self.scale_reported) and self.scale_reported != self.scale

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        lat, lon = f"{self.latitude:f}", f"{self.longitude:f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    def owner_age(self, today: date | None = None) -> int | None:
        if not self.owner_birth_date:
            return None
        return age_on(self.owner_birth_date, today or timezone.localdate())

    @property
    def workers(self) -> list[tuple[str, int | None]]:
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name)) for name in WORKER_FIELDS
        ]

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
        return self.pirt_expiry <= pirt_warning_date()

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

    def public(self) -> "ProductQuerySet":
        """What the public showcase may show: products of consenting businesses only."""
        return self.filter(business__publication_consent=True)


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
    photo = PhotoField(_("foto"), storage=private_storage, upload_to=product_photo_path, blank=True)
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

    def order_url(self) -> str:
        """A WhatsApp chat with the seller, the message already written."""
        phone = self.business.phone.lstrip("+")
        if not phone:
            return ""
        # The seller reads Indonesian, whatever language the buyer browses in.
        with translation.override("id"):
            text = _("Halo, saya ingin memesan %(product)s (%(business)s).") % {
                "product": self.name,
                "business": self.business.name,
            }
        return f"https://wa.me/{phone}?{urlencode({'text': text})}"


class PotentialCategory(models.TextChoices):
    AGRICULTURE = "pertanian", _("Ekonomi: pertanian dan perkebunan")
    FISHERY = "perikanan", _("Ekonomi: perikanan dan peternakan")
    FOOD = "olahan_pangan", _("Ekonomi: pengolahan pangan")
    CRAFT = "kerajinan", _("Ekonomi: kerajinan")
    TRADE = "perdagangan", _("Ekonomi: perdagangan")
    SERVICE = "jasa", _("Ekonomi: jasa")
    NATURE = "wisata_alam", _("Wisata: alam")
    CULTURE = "wisata_budaya", _("Wisata: budaya")
    RELIGIOUS = "wisata_religi", _("Wisata: religi")
    CULINARY = "wisata_kuliner", _("Wisata: kuliner")

    @property
    def is_tourism(self) -> bool:
        return self.value.startswith("wisata_")


class PotentialQuerySet(AreaScopedQuerySet):
    village_path = "village"


def potential_photo_path(instance: "Potential", filename: str) -> str:
    return f"potensi/{instance.village_id}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class Potential(VersionedModel):
    """An economic or tourism potential of a village, mapped by its mentor, reviewed by staff."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="potentials", verbose_name=_("desa")
    )
    category = models.CharField(
        _("kategori"), max_length=20, choices=PotentialCategory, db_index=True
    )
    title = models.CharField(_("nama potensi"), max_length=150)
    description = models.TextField(_("uraian"))
    businesses = models.ManyToManyField(
        Business, blank=True, related_name="potentials", verbose_name=_("usaha yang terlibat")
    )
    photo = PhotoField(
        _("foto"), storage=private_storage, upload_to=potential_photo_path, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditinjau oleh"),
    )
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)
    review_note = models.TextField(_("catatan tinjauan"), blank=True)

    history = HistoricalRecords(m2m_fields=[businesses])
    objects = PotentialQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("potensi desa")
        verbose_name_plural = _("potensi desa")
        indexes = [models.Index(fields=["village", "category"])]

    def __str__(self) -> str:
        return self.title


class OvopQuerySet(AreaScopedQuerySet):
    village_path = "village"


class OvopSelection(models.Model):
    """One Village One Product: the village's featured product for a year."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="ovop", verbose_name=_("desa")
    )
    year = models.PositiveSmallIntegerField(_("tahun"), validators=[MaxValueValidator(2100)])
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="ovop", verbose_name=_("produk")
    )
    reason = models.TextField(_("alasan dipilih"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dipilih oleh"),
    )
    chosen_at = models.DateTimeField(_("dipilih"), auto_now=True)

    history = HistoricalRecords()
    objects = OvopQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("produk OVOP")
        verbose_name_plural = _("produk OVOP")
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="one_ovop_per_village_year")
        ]
        indexes = [models.Index(fields=["year"])]  # the overview filters by year alone

    def __str__(self) -> str:
        return f"{self.village} {self.year}: {self.product}"


class NikAccess(models.Model):
    """One showing of a whole NIK to a user (UU 27/2022): who, when, which business, where.

    Written by every place that shows a stored NIK unmasked (`NikAccess.record`); it never holds
    the NIK itself. The business is kept by id: the record outlives a deleted business."""

    class Where(models.TextChoices):
        DETAIL = "detail", _("Halaman usaha")
        FORM = "form", _("Formulir ubah usaha")
        EXPORT = "export", _("Unduhan spreadsheet")
        ADMIN = "admin", _("Halaman admin")
        PERSONAL_DATA = "personal_data", _("Halaman data pribadi")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pengguna"),
    )
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    business = models.ForeignKey(
        Business,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,  # never empty; nullable so that a join keeps rows of deleted businesses
        related_name="+",
        verbose_name=_("usaha"),
    )
    where = models.CharField(_("tempat"), max_length=20, choices=Where)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("akses NIK")
        verbose_name_plural = _("akses NIK")
        indexes = [
            models.Index(fields=["business", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_where_display()} #{self.business_id}"

    @classmethod
    def record(cls, user, where: str, businesses) -> int:
        """Record that `user` was shown the whole NIK of each of `businesses` (objects with
        `pk` and `owner_nik`); a business without a NIK shows none."""
        return cls.record_ids(user, where, [b.pk for b in businesses if b.owner_nik])

    @classmethod
    def record_ids(cls, user, where: str, business_ids) -> int:
        """One row per business id, in one INSERT; none for a user who sees NIKs masked."""
        if not may_view_nik(user):
            return 0
        rows = [cls(user=user, business_id=pk, where=where) for pk in business_ids]
        cls.objects.bulk_create(rows, batch_size=1000)
        return len(rows)
