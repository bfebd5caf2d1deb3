from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import Service
from core.forms import VersionedFormMixin
from villages.forms import AreaFilterMixin

from .figures import Area, PeriodError, parse_period
from .models import YearTarget


class ReportFilterForm(AreaFilterMixin, forms.Form):
    periode = forms.CharField(
        label=_("Periode"),
        max_length=40,
        help_text=_("2026, 2026-Q3 (triwulan), 2026-11 (bulan), atau 2026-01-01..2026-03-31"),
        widget=forms.TextInput(attrs={"list": "periods", "autocomplete": "off"}),
    )

    layanan = forms.ModelChoiceField(
        label=_("Tahapan layanan"),
        queryset=Service.objects.order_by("order", "name"),
        to_field_name="code",
        required=False,
        empty_label=None,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_area_fields(user)
        self.fields["kecamatan"].empty_label = _("Seluruh wilayah")
        self.fields["desa"].empty_label = _("Semua desa")

    def clean_periode(self):
        try:
            return parse_period(self.cleaned_data["periode"])
        except PeriodError as error:
            raise ValidationError(str(error)) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        district, village = cleaned.get("kecamatan"), cleaned.get("desa")
        if district and village and village.district_id != district.pk:
            self.add_error("desa", _("Desa ini bukan bagian dari kecamatan yang dipilih."))
        return cleaned

    @property
    def area(self) -> Area:
        village = self.cleaned_data.get("desa")
        district = village.district if village else self.cleaned_data.get("kecamatan")
        return Area(district=district, village=village)

    @staticmethod
    def suggested_periods() -> list[str]:
        year = timezone.localdate().year
        return [
            str(year),
            *(f"{year}-Q{q}" for q in range(1, 5)),
            *(f"{year}-{m:02}" for m in range(1, 13)),
            str(year - 1),
        ]


class TargetForm(VersionedFormMixin, forms.ModelForm):
    """The year's targets: the headline numbers, and cases to complete per service for the regency
    and for each kecamatan (a row of the grid per kecamatan; blank means no target)."""

    class Meta:
        model = YearTarget
        fields = [
            "villages_mentored",
            "visits_per_mentor_month",
            "cooperative_activities",
            "cooperative_participants",
            "budget_absorption",
        ]

    def __init__(self, *args, services, districts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric", "min": 0})
        self.services = list(services)
        self.cells: dict[str, tuple] = {}
        self.rows: list[tuple[str, list[str]]] = []
        stored = {}
        if self.instance.pk:
            stored = {
                (t.district_id, t.service_id): t.cases_done
                for t in self.instance.service_targets.all()
            }
        for district in [None, *districts]:
            names = []
            for service in self.services:
                name = f"t_{district.pk if district else 0}_{service.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{service.name} ({district.name if district else _('Kabupaten')})",
                    min_value=0,
                    max_value=1_000_000,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                )
                self.initial[name] = stored.get((district.pk if district else None, service.pk))
                self.cells[name] = (district, service)
                names.append(name)
            self.rows.append((district.name if district else _("Seluruh kabupaten"), names))
        self.add_version_field()

    def headline_fields(self):
        return [self[name] for name in self.Meta.fields]

    def grid(self):
        for label, names in self.rows:
            yield label, [self[name] for name in names]

    def service_targets(self) -> dict[tuple, int | None]:
        """(district or None, service) -> cases to complete, None where left blank."""
        return {cell: self.cleaned_data.get(name) for name, cell in self.cells.items()}
