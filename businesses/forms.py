from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import (
    ConfirmableWarningsMixin,
    DateInput,
    FoldedFiltersMixin,
    InlineValidationMixin,
    RowModelChoiceField,
    RupiahField,
    VersionedFormMixin,
)
from core.pagination import Probe, estimated_rows
from villages.access import VIEW_ALL
from villages.forms import AreaFilterMixin, VillageByDistrictMixin
from villages.models import District, Village

from .models import (
    WORKER_FIELDS,
    Business,
    Gender,
    LegalGap,
    OvopSelection,
    Potential,
    Product,
    Scale,
    Sector,
    search_condition,
    search_matches,
)
from .validators import (
    birth_date_errors,
    clean_digits,
    clean_nik,
    kbli_warnings,
    mask_nik,
    nib_warnings,
    nik_gender,
    pirt_warnings,
    start_errors,
)

# The SIDT fields of the business form, by the section they are shown in.
SIDT_OWNER_FIELDS = [
    "owner_birth_date",
    "owner_disability",
    "owner_education",
    "owner_address",
    "owner_rt",
    "owner_rw",
    "owner_village",
]
SIDT_ACTIVITY_FIELDS = [
    "rt",
    "rw",
    "latitude",
    "longitude",
    "main_activity",
    "main_product",
    "kbli_category",
    "legal_status",
    "start_month",
    "start_year",
]
SIDT_MONEY_FIELDS = ["annual_turnover", "founding_capital", "assets", "scale_reported"]
SIDT_FORM_FIELDS = [*SIDT_OWNER_FIELDS, *SIDT_ACTIVITY_FIELDS, *SIDT_MONEY_FIELDS, *WORKER_FIELDS]
DISABILITY_CHOICES = [("", _("Tidak diketahui")), ("True", _("Ya")), ("False", _("Tidak"))]
MONTH_CHOICES = [("", _("Tidak diketahui")), *MONTHS.items()]


class BusinessFilterForm(FoldedFiltersMixin, AreaFilterMixin, forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nama usaha, pemilik, atau produk")}
        ),
    )
    sektor = forms.ChoiceField(
        label=_("Sektor"), required=False, choices=[("", _("Semua sektor")), *Sector.choices]
    )
    legalitas = forms.ChoiceField(
        label=_("Legalitas"), required=False, choices=[("", _("Semua")), *LegalGap.choices]
    )
    skala = forms.ChoiceField(
        label=_("Skala usaha"), required=False, choices=[("", _("Semua skala")), *Scale.choices]
    )
    miskin_ekstrem = forms.BooleanField(label=_("Hanya desa miskin ekstrem"), required=False)

    probe: Probe | None = None  # set by filter() for a search over the whole country
    field_order = ["q", "kecamatan", "desa", "sektor", "legalitas", "skala", "miskin_ekstrem"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.add_area_fields(user)

    def filter(self, businesses):
        data = self.cleaned_data
        businesses = self.filter_area(businesses, village_path="village")
        if data["sektor"]:
            businesses = businesses.filter(sector=data["sektor"])
        if data["legalitas"]:
            businesses = businesses.with_gap(data["legalitas"])
        if data["skala"]:
            businesses = businesses.of_scale(data["skala"])
        if data["miskin_ekstrem"]:
            businesses = businesses.in_extreme_poverty_villages()
        text = data["q"].strip()
        # A mentor's or camat's area, or a chosen kecamatan or desa, is small: search its rows.
        if (
            not text
            or not self.user.has_perm(VIEW_ALL)
            or data.get("kecamatan")
            or data.get("desa")
        ):
            return businesses.search(text, within_area=True)
        # Over the whole country. For a common word the paginator may find the page by testing
        # the list's first rows in order (core.pagination.Probe).
        expected = estimated_rows(search_matches(text))
        self.probe = Probe(businesses, search_condition(text), expected)
        return businesses.search(text, expected=expected)


class BusinessForm(
    InlineValidationMixin,
    ConfirmableWarningsMixin,
    VersionedFormMixin,
    VillageByDistrictMixin,
    forms.ModelForm,
):
    monthly_turnover = RupiahField(label=_("Omzet per bulan (Rp)"), required=False)
    annual_turnover = RupiahField(
        label=_("Omzet per tahun (Rp)"),
        required=False,
        help_text=_("Angka SIDT. Bila kosong, skala usaha memakai perkiraan 12 × omzet per bulan."),
    )
    founding_capital = RupiahField(
        label=_("Modal pendirian (Rp)"),
        required=False,
        help_text=_("Di luar tanah dan bangunan."),
    )
    assets = RupiahField(label=_("Aset (Rp)"), required=False)
    masked_fields = {"owner_nik": mask_nik, "owner_birth_date": lambda value: "••••"}

    class Meta:
        model = Business
        fields = [
            "name",
            "owner_name",
            "owner_nik",
            "owner_gender",
            "phone",
            "address",
            "village",
            "sector",
            "kbli",
            "employees",
            "monthly_turnover",
            "nib_number",
            "nib_date",
            "pirt_number",
            "pirt_expiry",
            "halal_number",
            "halal_date",
            "publication_consent",
            "consent_date",
            *SIDT_FORM_FIELDS,
        ]
        widgets = {
            "consent_date": DateInput(),
            "owner_nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "placeholder": "08xx-xxxx-xxxx"}),
            "kbli": forms.TextInput(attrs={"inputmode": "numeric"}),
            "nib_number": forms.TextInput(attrs={"inputmode": "numeric"}),
            "nib_date": DateInput(),
            "pirt_expiry": DateInput(),
            "halal_date": DateInput(),
            "owner_gender": forms.RadioSelect,
            "owner_birth_date": DateInput(),
            "owner_disability": forms.RadioSelect(choices=DISABILITY_CHOICES),
            "owner_rt": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "owner_rw": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "rt": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric", "size": 3}),
            "start_month": forms.Select(choices=MONTH_CHOICES),
            "start_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "latitude": forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "-6.3"}),
            "longitude": forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "107.3"}),
            **{name: forms.NumberInput(attrs={"inputmode": "numeric"}) for name in WORKER_FIELDS},
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.can_view_nik = user.has_perm("businesses.view_nik")
        self.fields["village"].queryset = (
            Village.objects.editable_by(user).in_home_regency().select_related("district")
        )
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.district.name})"
        self.choose_village_by_district(
            self.fields["village"].queryset,
            districts=District.objects.editable_by(user).in_home_regency().order_by("name"),
        )
        stored_nik = self.instance.owner_nik
        # Without the permission the stored NIK is never sent to the browser.
        self.keeps_hidden_nik = bool(stored_nik) and not self.can_view_nik
        if self.keeps_hidden_nik:
            self.initial["owner_nik"] = ""
            self.fields["owner_nik"].help_text = _(
                "Tersimpan: %(masked)s. Kosongkan untuk tetap memakai NIK itu."
            ) % {"masked": mask_nik(stored_nik)}
        self.fields["owner_village"] = RowModelChoiceField(
            Village.objects.in_home_regency().order_by("district__name", "name"),
            label=_("Desa/kelurahan pemilik"),
            required=False,
            empty_label=_("Tidak diketahui / di luar kabupaten"),
            label_fields=("name", "district__name"),
            label_format="{} ({})",
        )
        # The date of birth spells digits 7–12 of the NIK: hidden like the NIK itself.
        self.keeps_hidden_birth_date = (
            bool(self.instance.owner_birth_date) and not self.can_view_nik
        )
        if self.keeps_hidden_birth_date:
            self.initial["owner_birth_date"] = None
            self.fields["owner_birth_date"].help_text = _(
                "Tersimpan (tidak ditampilkan). Kosongkan untuk tetap memakai tanggal itu."
            )
        self.add_version_field()
        self.add_confirm_field()

    @property
    def sidt_sections(self) -> list[dict]:
        """The SIDT fields in folded sections, a section with an error unfolded."""
        sections = [
            (_("Data pribadi dan alamat pemilik"), SIDT_OWNER_FIELDS),
            (_("Lokasi, kegiatan, dan status usaha"), SIDT_ACTIVITY_FIELDS),
            (_("Omzet tahunan, modal, aset, dan skala"), SIDT_MONEY_FIELDS),
            (_("Rincian tenaga kerja"), WORKER_FIELDS),
        ]
        return [
            {
                "title": title,
                "fields": [self[name] for name in names],
                "open": any(self.has_error(name) for name in names),
            }
            for title, names in sections
        ]

    def clean_owner_birth_date(self):
        value = self.cleaned_data.get("owner_birth_date")
        if value is None and self.keeps_hidden_birth_date:
            return self.instance.owner_birth_date
        return value

    def clean_owner_nik(self) -> str:
        value = self.cleaned_data.get("owner_nik", "")
        if not value:
            return self.instance.owner_nik if self.keeps_hidden_nik else ""
        return clean_nik(value)

    def clean_nib_number(self) -> str:
        return clean_digits(self.cleaned_data.get("nib_number", ""), gettext("NIB"))

    def clean_pirt_number(self) -> str:
        return clean_digits(self.cleaned_data.get("pirt_number", ""), gettext("Nomor PIRT"), "-")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("publication_consent") and not cleaned.get("consent_date"):
            cleaned["consent_date"] = timezone.localdate()
        if not cleaned.get("publication_consent"):
            cleaned["consent_date"] = None
        if cleaned.get("nib_date") and not cleaned.get("nib_number"):
            self.add_error("nib_number", gettext("Isi nomor NIB bila tanggalnya diisi."))
        if cleaned.get("halal_date") and not cleaned.get("halal_number"):
            self.add_error("halal_number", gettext("Isi nomor sertifikat bila tanggalnya diisi."))
        self.check_owner_against_nik(cleaned)
        self.check_start(cleaned)
        self.check_coordinates(cleaned)
        self.check_warnings()
        return cleaned

    def check_owner_against_nik(self, cleaned: dict) -> None:
        """Date of birth and gender must agree with the NIK (DOMAIN.md: DDMMYY, women + 40)."""
        nik, gender = cleaned.get("owner_nik"), cleaned.get("owner_gender")
        if nik and gender and gender != Gender.UNKNOWN and nik_gender(nik) != gender:
            self.add_error(
                "owner_gender",
                gettext(
                    "Jenis kelamin tidak cocok dengan NIK (tanggal lahir perempuan + 40). Pilih "
                    "'Tidak diketahui' bila ragu."
                ),
            )
        born = cleaned.get("owner_birth_date")
        if born:
            for error in birth_date_errors(born, nik or "", timezone.localdate()):
                self.add_error("owner_birth_date", error)

    def check_start(self, cleaned: dict) -> None:
        month, year = cleaned.get("start_month"), cleaned.get("start_year")
        for message in start_errors(year, month, timezone.localdate()):
            self.add_error("start_year", message)

    def check_coordinates(self, cleaned: dict) -> None:
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            empty = "longitude" if longitude is None else "latitude"
            self.add_error(
                empty, gettext("Isi lintang dan bujur keduanya, atau kosongkan keduanya.")
            )

    def save(self, commit: bool = True) -> Business:
        business = super().save(commit=False)
        if "publication_consent" in self.changed_data:
            business.consent_recorded_by = self.user
        if commit:
            business.save()
        return business

    def collect_warnings(self) -> list[str]:
        data = self.cleaned_data
        warnings = [*nib_warnings(data.get("nib_number", ""))]
        warnings += pirt_warnings(data.get("pirt_number", ""), data.get("pirt_expiry"))
        warnings += kbli_warnings(data.get("kbli", ""), data.get("kbli_category", ""))
        warnings += self.duplicate_warnings()
        return warnings

    def duplicate_warnings(self) -> list[str]:
        """Probable duplicates: same name in the same village, and (for those who may see
        whole NIKs) the same owner NIK anywhere in the regency.

        Without the NIK permission a NIK match is not reported at all: a warning that appears
        only for the exact NIK would let someone recover a masked NIK by guessing.
        """
        data = self.cleaned_data
        same = Q(name__iexact=data.get("name", ""), village=data.get("village"))
        nik = data.get("owner_nik") if self.can_view_nik else ""
        if nik:
            same |= Q(owner_nik=nik)
        others = Business.objects.filter(same).exclude(pk=self.instance.pk)
        visible = {b.pk: b for b in others.visible_to(self.user).select_related("village")}
        warnings = []
        for business in others.only("pk", "name", "owner_nik"):
            reason = (
                gettext("NIK pemilik sama")
                if nik and business.owner_nik == nik
                else gettext("nama sama di desa yang sama")
            )
            if business.pk in visible:
                warnings.append(
                    gettext("Mungkin duplikat: %(name)s (%(village)s), %(reason)s.")
                    % {
                        "name": business.name,
                        "village": visible[business.pk].village,
                        "reason": reason,
                    }
                )
            else:
                # Outside the user's area: say that it exists, not what it is.
                warnings.append(
                    gettext("Mungkin duplikat: sudah ada usaha di wilayah lain dengan %(reason)s.")
                    % {"reason": reason}
                )
        return warnings


class ProductForm(InlineValidationMixin, VersionedFormMixin, forms.ModelForm):
    price = RupiahField(label=_("Harga (Rp)"), required=False)

    class Meta:
        model = Product
        fields = ["name", "description", "price", "photo", "featured"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()


class PotentialForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Potential
        fields = ["category", "title", "description", "businesses", "photo"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "businesses": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, village: Village, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["businesses"].queryset = village.businesses.order_by("name")
        self.add_version_field()


class PotentialReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("Catatan tinjauan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OvopForm(forms.ModelForm):
    class Meta:
        model = OvopSelection
        fields = ["year", "product", "reason"]
        widgets = {
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, village: Village, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.village = village
        self.fields["product"].queryset = Product.objects.filter(
            business__village=village
        ).select_related("business")
        self.fields["product"].label_from_instance = lambda p: f"{p.name} ({p.business.name})"
        self.fields["year"].initial = timezone.localdate().year

    def validate_unique(self) -> None:
        # One per village and year: choosing again for the same year replaces the choice
        # (the view updates the existing row), so the form does not refuse it.
        pass
