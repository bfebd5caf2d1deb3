from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import (
    ConfirmableWarningsMixin,
    DateInput,
    InlineValidationMixin,
    RupiahField,
    VersionedFormMixin,
)
from core.pagination import Probe, estimated_rows
from villages.access import VIEW_ALL
from villages.forms import AreaFilterMixin, VillageByDistrictMixin
from villages.models import District, Village

from .models import (
    Business,
    LegalGap,
    OvopSelection,
    Potential,
    Product,
    Sector,
    search_condition,
    search_matches,
)
from .validators import clean_digits, clean_nik, mask_nik, nib_warnings, nik_gender, pirt_warnings


class BusinessFilterForm(AreaFilterMixin, forms.Form):
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
    miskin_ekstrem = forms.BooleanField(label=_("Hanya desa miskin ekstrem"), required=False)

    probe: Probe | None = None  # set by filter() for a search over the whole country

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
    masked_fields = {"owner_nik": mask_nik}

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
        self.add_version_field()
        self.add_confirm_field()

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
        self.check_warnings()
        return cleaned

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
        nik = data.get("owner_nik")
        if nik and data.get("owner_gender") and nik_gender(nik) != data["owner_gender"]:
            warnings.append(
                gettext("Jenis kelamin tidak cocok dengan NIK (tanggal lahir perempuan + 40).")
            )
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
