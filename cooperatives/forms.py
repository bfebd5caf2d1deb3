from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from businesses.models import Business
from core.files import DocumentFormMixin
from core.forms import (
    ConfirmableWarningsMixin,
    DateInput,
    RupiahField,
    VersionedFormMixin,
)
from villages.access import area_filter
from villages.forms import AreaFilterMixin, VillageByDistrictMixin
from villages.models import District, Village

from .models import (
    Activity,
    ActivityDocument,
    ActivityKind,
    ActivityStatus,
    Cooperative,
    CooperativeType,
    Equipment,
    Flagship,
    KecamatanPartner,
    Participation,
    SipdCode,
)


def recording_districts(user):
    """Kecamatan where the user may record activities (staff: all; camat/PKK: their own)."""
    return District.objects.in_home_regency().filter(
        area_filter(user, district_path="pk", write=True, viewer_writes=True)
    )


def sub_activities():
    # Sub-kegiatan codes have six parts: five dots.
    return SipdCode.objects.filter(is_active=True, code__regex=r"^([^.]+\.){5}[^.]+$")


class CooperativeFilterForm(AreaFilterMixin, forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nama, nomor induk, atau ketua")}
        ),
    )
    jenis = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *CooperativeType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua")), ("aktif", _("Aktif")), ("tidak", _("Tidak aktif"))],
    )
    berisiko = forms.BooleanField(
        label=_("Hanya yang berisiko (tanpa RAT 2 tahun)"), required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_area_fields(user, with_villages=False)

    def filter(self, cooperatives):
        data = self.cleaned_data
        cooperatives = self.filter_area(cooperatives.search(data["q"]), district_path="district")
        if data["jenis"]:
            cooperatives = cooperatives.filter(type=data["jenis"])
        if data["status"]:
            cooperatives = cooperatives.filter(is_active=data["status"] == "aktif")
        if data["berisiko"]:
            cooperatives = cooperatives.at_risk()
        return cooperatives


class CooperativeForm(
    ConfirmableWarningsMixin, VersionedFormMixin, VillageByDistrictMixin, forms.ModelForm
):
    class Meta:
        model = Cooperative
        fields = [
            "name",
            "registry_number",
            "legal_entity_number",
            "legal_entity_date",
            "type",
            "district",
            "village",
            "address",
            "chair_name",
            "contact_phone",
            "members_male",
            "members_female",
            "is_active",
            "last_rat_year",
            "last_rat_date",
            "health_rating",
        ]
        widgets = {
            "legal_entity_date": DateInput(),
            "last_rat_date": DateInput(),
            "registry_number": forms.TextInput(attrs={"inputmode": "numeric"}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.editable_by(user).in_home_regency()
        self.fields["village"].queryset = (
            Village.objects.editable_by(user).in_home_regency().select_related("district")
        )
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.district.name})"
        self.choose_village_by_district(self.fields["village"].queryset)
        self.add_version_field()
        self.add_confirm_field()

    def clean(self) -> dict:
        cleaned = super().clean()
        self.check_warnings()
        return cleaned

    def collect_warnings(self) -> list[str]:
        probe = Cooperative(registry_number=self.cleaned_data.get("registry_number", ""))
        return [probe.registry_warning] if probe.registry_warning else []


class FlagshipForm(forms.ModelForm):
    class Meta:
        model = Flagship
        fields = ["year", "cooperative", "reason"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, district: District, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.district = district
        self.fields["cooperative"].queryset = Cooperative.objects.filter(
            district=district, is_active=True
        )
        self.fields["year"].initial = timezone.localdate().year

    def validate_unique(self) -> None:
        # Choosing again for the same year replaces the flagship (the view updates that row).
        pass


class PartnerForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = KecamatanPartner
        fields = ["role", "name", "phone", "notes", "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field()


class ActivityForm(VersionedFormMixin, VillageByDistrictMixin, forms.ModelForm):
    budget_ceiling = RupiahField(label=_("Pagu (Rp)"))
    realised = RupiahField(label=_("Realisasi (Rp)"), required=False)

    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "sipd",
            "fiscal_year",
            "budget_ceiling",
            "realised",
            "status",
            "start_date",
            "end_date",
            "district",
            "village",
            "organiser",
            "outcome",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "fiscal_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        districts = recording_districts(user)
        self.fields["district"].queryset = districts
        self.fields["village"].queryset = Village.objects.filter(
            district__in=districts
        ).select_related("district")
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.district.name})"
        self.fields["sipd"].queryset = sub_activities()
        self.fields["fiscal_year"].initial = timezone.localdate().year
        if not self.instance.pk and districts.count() == 1:
            self.initial.setdefault("district", districts.first().pk)
        self.choose_village_by_district(self.fields["village"].queryset)
        self.add_version_field()

    def clean_realised(self) -> int:
        return self.cleaned_data.get("realised") or 0

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == ActivityStatus.PLANNED and cleaned.get("realised"):
            self.add_error(
                "realised", gettext("Kegiatan yang masih rencana belum punya realisasi.")
            )
        start = cleaned.get("start_date")
        if start and cleaned.get("fiscal_year") and start.year != cleaned["fiscal_year"]:
            self.add_error("start_date", gettext("Tanggal mulai harus di tahun anggaran."))
        return cleaned


class ParticipantChoices:
    """The cooperatives and businesses an activity may involve: those of its kecamatan that the
    user can see. Evaluated once and shared by every row of the formsets (not a query per row).
    """

    def __init__(self, user, districts) -> None:
        self.cooperatives = Cooperative.objects.visible_to(user).filter(district__in=districts)
        self.businesses = (
            Business.objects.visible_to(user)
            .filter(village__district__in=districts)
            .select_related("village")
        )
        empty = list(BLANK_CHOICE_DASH)
        self.cooperative_choices = empty + [(c.pk, str(c)) for c in self.cooperatives]
        self.business_choices = empty + [
            (b.pk, f"{b.name} ({b.village.name})") for b in self.businesses
        ]


class ParticipationForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["cooperative", "business", "attendees_male", "attendees_female"]

    def __init__(self, *args, choices: ParticipantChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = choices.cooperatives
        self.fields["cooperative"].choices = choices.cooperative_choices
        self.fields["business"].queryset = choices.businesses
        self.fields["business"].choices = choices.business_choices

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("DELETE") and not (
            cleaned.get("cooperative") or cleaned.get("business")
        ):
            raise ValidationError(gettext("Pilih koperasi atau usaha yang ikut."))
        return cleaned


class EquipmentForm(forms.ModelForm):
    unit_cost = RupiahField(label=_("Harga satuan (Rp)"))

    class Meta:
        model = Equipment
        fields = ["item", "quantity", "unit_cost", "recipient"]

    def __init__(self, *args, choices: ParticipantChoices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = choices.cooperatives
        self.fields["recipient"].choices = choices.cooperative_choices


ParticipationFormSet = inlineformset_factory(
    Activity, Participation, form=ParticipationForm, extra=2, can_delete=True
)
EquipmentFormSet = inlineformset_factory(
    Activity, Equipment, form=EquipmentForm, extra=1, can_delete=True
)


class ActivityDocumentForm(DocumentFormMixin, forms.ModelForm):
    class Meta:
        model = ActivityDocument
        fields = ["file", "title"]
        widgets = {
            "file": forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        }


class BudgetFilterForm(forms.Form):
    tahun = forms.IntegerField(
        label=_("Tahun anggaran"), required=False, min_value=1945, max_value=2100
    )
    kegiatan = forms.ChoiceField(
        label=_("Jenis kegiatan"),
        required=False,
        choices=[("", _("Semua jenis")), *ActivityKind.choices],
    )
