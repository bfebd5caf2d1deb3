"""Areas (Kemendagri codes), mentors with their village assignments, and kecamatan viewers.

This app is the ground floor: every other app scopes its querysets through `villages.access`.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import normalize_phone, validate_phone

from .access import AreaScopedQuerySet

FIRST_YEAR = 2000


def year_validators() -> list:
    return [MinValueValidator(FIRST_YEAR), MaxValueValidator(2100)]


class CodeManager(models.Manager):
    """Areas are identified across databases and fixtures by their Kemendagri code."""

    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class Province(models.Model):
    code = models.CharField(
        _("kode"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")]
    )
    name = models.CharField(_("nama"), max_length=100)

    objects = CodeManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Regency(models.Model):
    code = models.CharField(
        _("kode"), max_length=5, unique=True, validators=[RegexValidator(r"^\d{2}\.\d{2}$")]
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )
    name = models.CharField(_("nama"), max_length=100)

    objects = CodeManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Keep the cached home regency (see home_regency()) in step with an edit in the admin.
        cache.set(_regency_cache_key(self.code), self, REGENCY_CACHE_SECONDS)

    def delete(self, *args, **kwargs):
        cache.delete(_regency_cache_key(self.code))
        return super().delete(*args, **kwargs)

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def _kind_and_place(self) -> tuple[str, str]:
        words = self.name.split()
        kind = ""
        if words and words[0].upper() in _REGENCY_KINDS:
            kind = _REGENCY_KINDS[words.pop(0).upper()]
        place = " ".join(
            word.lower()
            if word.upper() in _LOWER_WORDS
            else "-".join(part.capitalize() for part in word.split("-"))
            for word in words
        )
        return kind, place

    @property
    def display_name(self) -> str:
        """The name as a sentence writes it: 'KABUPATEN BEKASI' -> 'Kabupaten Bekasi',
        'KAB. KARAWANG' -> 'Kabupaten Karawang', 'KOTA BEKASI' -> 'Kota Bekasi'."""
        kind, place = self._kind_and_place()
        return f"{kind} {place}" if kind else place

    @property
    def short_name(self) -> str:
        """The place alone, for product names and brands: 'Bekasi'."""
        return self._kind_and_place()[1]


# How the area data names a regency's kind (idn-area writes KABUPATEN and KOTA in full).
_REGENCY_KINDS = {"KABUPATEN": "Kabupaten", "KAB.": "Kabupaten", "KAB": "Kabupaten", "KOTA": "Kota"}
_LOWER_WORDS = {"DAN"}
REGENCY_CACHE_SECONDS = 3600


def _regency_cache_key(code: str) -> str:
    return f"villages:regency:{code}"


def home_regency() -> Regency | None:
    """The regency this installation serves (settings.HOME_REGENCY_CODE), or None before its
    areas are loaded.

    Cached, so that every page, report and PDF may name it without a query of its own (the
    public showcase keeps a constant query count). Anything that names the regency to a reader
    goes through this, never a literal "Karawang".
    """
    key = _regency_cache_key(settings.HOME_REGENCY_CODE)
    regency = cache.get(key)
    if regency is None:
        regency = Regency.objects.filter(code=settings.HOME_REGENCY_CODE).first()
        if regency is not None:  # not loaded yet: look again next time
            cache.set(key, regency, REGENCY_CACHE_SECONDS)
    return regency


def home_regency_name() -> str:
    """'Kabupaten Karawang': the home regency as a sentence names it."""
    regency = home_regency()
    if regency is None:
        return gettext("Kabupaten/Kota %(code)s") % {"code": settings.HOME_REGENCY_CODE}
    return regency.display_name


def home_regency_short_name() -> str:
    """'Karawang': the home regency's place name alone."""
    regency = home_regency()
    return regency.short_name if regency else settings.HOME_REGENCY_CODE


def office_name() -> str:
    """The office running this installation: settings.OFFICE_NAME, else 'Dinas Koperasi dan UKM'
    of the home regency."""
    if settings.OFFICE_NAME:
        return settings.OFFICE_NAME
    return gettext("Dinas Koperasi dan UKM %(regency)s") % {"regency": home_regency_name()}


def site_name() -> str:
    """The application's name: settings.SITE_NAME, else 'Karawang UMKM' after the home regency."""
    if settings.SITE_NAME:
        return settings.SITE_NAME
    return gettext("%(place)s UMKM") % {"place": home_regency_short_name()}


class DistrictQuerySet(AreaScopedQuerySet):
    district_path = "pk"

    def in_home_regency(self) -> "DistrictQuerySet":
        """The regency this office serves, even when other areas are loaded."""
        return self.filter(regency__code=settings.HOME_REGENCY_CODE)


class District(models.Model):
    """A kecamatan."""

    code = models.CharField(
        _("kode"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{2}\.\d{2}\.\d{2}$")],
    )
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kabupaten")
    )
    name = models.CharField(_("nama"), max_length=100)

    objects = CodeManager.from_queryset(DistrictQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class VillageQuerySet(AreaScopedQuerySet):
    village_path = "pk"

    def in_home_regency(self) -> "VillageQuerySet":
        return self.filter(district__regency__code=settings.HOME_REGENCY_CODE)

    def extreme_poverty(self) -> "VillageQuerySet":
        return self.filter(extreme_poverty_year__isnull=False)

    def with_active_mentor(self, on: date | None = None) -> "VillageQuerySet":
        return self.filter(pk__in=Assignment.objects.active(on).values("village"))

    def without_active_mentor(self, on: date | None = None) -> "VillageQuerySet":
        return self.exclude(pk__in=Assignment.objects.active(on).values("village"))

    def search(self, text: str) -> "VillageQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__startswith=text))


class Village(models.Model):
    """A desa (rural village) or kelurahan (urban ward); the code tells which."""

    # The first digit of the code's last part (Kemendagri): 1 kelurahan, 2 desa, 3 desa adat
    # (14 villages of Kabupaten Jayapura, 91.03, named "Desa Adat ..." in the source data).
    KIND_KELURAHAN = "1"
    KIND_DESA = "2"
    KIND_DESA_ADAT = "3"

    code = models.CharField(
        _("kode"),
        max_length=13,
        unique=True,
        validators=[RegexValidator(r"^\d{2}\.\d{2}\.\d{2}\.[12]\d{3}$")],
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="villages", verbose_name=_("kecamatan")
    )
    name = models.CharField(_("nama"), max_length=100, db_index=True)
    extreme_poverty_year = models.PositiveSmallIntegerField(
        _("tahun penetapan desa miskin ekstrem"),
        null=True,
        blank=True,
        db_index=True,
        validators=year_validators(),
        help_text=_("Kosongkan bila desa tidak berstatus miskin ekstrem."),
    )

    # The office's edits (the flag) are recorded; area loads are bulk writes and are not.
    history = HistoricalRecords()
    objects = CodeManager.from_queryset(VillageQuerySet)()

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("desa/kelurahan")
        verbose_name_plural = _("desa/kelurahan")
        # Regency-wide access is a permission, so a role gets it through its group.
        permissions = [
            ("view_all_areas", _("Melihat data seluruh kabupaten")),
            ("change_all_areas", _("Mengubah data seluruh kabupaten")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("villages:detail", args=[self.code])

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def is_kelurahan(self) -> bool:
        return self.code[9] == self.KIND_KELURAHAN

    @property
    def kind_label(self) -> str:
        return {
            self.KIND_KELURAHAN: _("Kelurahan"),
            self.KIND_DESA_ADAT: _("Desa adat"),
        }.get(self.code[9], _("Desa"))

    @property
    def title(self) -> str:
        """'Desa Duren', 'Kelurahan Karawang Kulon'; a name that already says its kind
        ('Desa Adat Yoboi') is not prefixed again."""
        kind = str(self.kind_label)
        if self.name.casefold().startswith(kind.casefold()):
            return self.name
        return f"{kind} {self.name}"

    @property
    def is_extreme_poverty(self) -> bool:
        return self.extreme_poverty_year is not None


class Mentor(models.Model):
    """A Patriot Desa: a young mentor placed by the province for one year."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor",
        verbose_name=_("akun pengguna"),
    )
    phone = models.CharField(
        _("nomor HP/WhatsApp"), max_length=16, blank=True, validators=[validate_phone]
    )
    cohort_year = models.PositiveSmallIntegerField(
        _("angkatan (tahun)"), validators=year_validators()
    )
    placing_agency = models.CharField(
        _("instansi penempatan"), max_length=150, default="DPMD Provinsi Jawa Barat"
    )
    villages = models.ManyToManyField(
        Village, through="Assignment", related_name="mentors", verbose_name=_("desa dampingan")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name = _("Patriot Desa")
        verbose_name_plural = _("Patriot Desa")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def save(self, *args, **kwargs) -> None:
        self.phone = normalize_phone(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def whatsapp_url(self) -> str:
        return f"https://wa.me/{self.phone.lstrip('+')}" if self.phone else ""


def one_year_after(start: date) -> date:
    """The last day of a one-year placement that begins on `start`."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def active_assignment(on: date | None = None, path: str = "") -> Q:
    """The rule for a placement active on `on` (today by default); `path` reaches the
    assignment from another model ("villages__assignments__")."""
    on = on or timezone.localdate()
    return Q(**{f"{path}start_date__lte": on, f"{path}end_date__gte": on})


class AssignmentQuerySet(models.QuerySet):
    def active(self, on: date | None = None) -> "AssignmentQuerySet":
        return self.filter(active_assignment(on))


class Assignment(models.Model):
    """A mentor's placement in one village for a period; only a current one gives access."""

    mentor = models.ForeignKey(
        Mentor, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("mentor")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("desa")
    )
    start_date = models.DateField(_("tanggal mulai"))
    end_date = models.DateField(
        _("tanggal selesai"), blank=True, help_text=_("Kosongkan untuk masa tugas satu tahun.")
    )
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        indexes = [
            models.Index(fields=["mentor", "start_date", "end_date"]),
            models.Index(fields=["village", "start_date", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.mentor} – {self.village} ({self.start_date:%d-%m-%Y}–{self.end_date:%d-%m-%Y})"
        )

    def save(self, *args, **kwargs) -> None:
        if not self.end_date:
            self.end_date = one_year_after(self.start_date)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.start_date and not self.end_date:
            self.end_date = one_year_after(self.start_date)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")}
            )
        if self.mentor_id and self.village_id and self.start_date and self.end_date:
            overlapping = Assignment.objects.filter(
                mentor_id=self.mentor_id,
                village_id=self.village_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("Mentor ini sudah ditugaskan di desa tersebut pada periode yang bertumpuk.")
                )

    def is_active(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on <= self.end_date


class KecamatanViewer(models.Model):
    """A camat or TP PKK account that reads (and later records) its own kecamatan."""

    ROLE_CHOICES = [
        ("camat", _("Camat")),
        ("sekcam", _("Sekretaris Kecamatan")),
        ("tp_pkk", _("TP PKK Kecamatan")),
        ("staf", _("Staf Kecamatan")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="kecamatan_viewer",
        verbose_name=_("akun pengguna"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="viewers", verbose_name=_("kecamatan")
    )
    role = models.CharField(_("peran"), max_length=10, choices=ROLE_CHOICES)
    position = models.CharField(_("jabatan"), max_length=150, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["district__name", "role"]
        verbose_name = _("pengguna kecamatan")
        verbose_name_plural = _("pengguna kecamatan")

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.get_role_display()} {self.district})"
