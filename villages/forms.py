from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import RowModelChoiceField

from .models import District, Village, VillageQuerySet


class AreaFilterMixin:
    """Kecamatan (and desa) filters whose choices are the user's own area, for any list."""

    def add_area_fields(self, user, with_villages: bool = True) -> None:
        self.fields["kecamatan"] = RowModelChoiceField(
            label=_("Kecamatan"),
            queryset=District.objects.visible_to(user).in_home_regency().order_by("name"),
            required=False,
            empty_label=_("Semua kecamatan"),
            to_field_name="code",
        )
        if with_villages:
            self.fields["desa"] = RowModelChoiceField(
                label=_("Desa"),
                queryset=Village.objects.visible_to(user)
                .in_home_regency()
                .order_by("district__name", "name"),
                required=False,
                empty_label=_("Semua desa"),
                to_field_name="code",
                label_fields=("name", "district__name"),
                label_format="{} ({})",
            )
        # Added after Django applied the form's field_order: apply it again (None: no-op).
        self.order_fields(self.field_order)

    def filter_area(self, queryset, *, village_path: str = "", district_path: str = ""):
        """`village_path` leads from the listed model to its Village, `district_path` (for
        kecamatan-level data) to its District."""
        data = self.cleaned_data
        if data.get("kecamatan"):
            path = district_path or f"{village_path}__district"
            queryset = queryset.filter(**{path: data["kecamatan"]})
        if data.get("desa"):
            queryset = queryset.filter(**{village_path: data["desa"]})
        return queryset


# Above this many villages a form asks for the kecamatan first and lists only its villages (staff
# would otherwise get every village of the regency, 300+ options, in every form).
MANY_VILLAGES = 30


class VillageByDistrictMixin:
    """A village choice narrowed to the chosen kecamatan when the user may pick from many.

    The kecamatan select fetches its villages' options (`villages:options`) when changed; without
    JavaScript the form comes back with them after the first post. The village field still
    validates against the narrowed queryset, so a village of another kecamatan is refused.
    """

    def choose_village_by_district(
        self,
        villages: VillageQuerySet,
        *,
        districts=None,
        district_field: str = "district",
        village_field: str = "village",
    ) -> None:
        """`districts` adds a kecamatan field to a form whose model has none."""
        if villages.count() <= MANY_VILLAGES:
            return
        if districts is not None:
            instance = getattr(self, "instance", None)
            self.fields[district_field] = forms.ModelChoiceField(
                label=_("Kecamatan"),
                queryset=districts,
                required=False,
                initial=instance.village.district_id
                if getattr(instance, "village_id", None)
                else None,
            )
        district = self._chosen_district(district_field)
        village = self.fields[village_field]
        village.queryset = villages.filter(district=district) if district else villages.none()
        village.label_from_instance = lambda v: v.name
        village.empty_label = _("Pilih desa") if district else _("Pilih kecamatan dulu")
        self.fields[district_field].widget.attrs.update(
            {
                "hx-get": reverse("villages:options"),
                "hx-trigger": "change",
                "hx-target": f"#{self[village_field].auto_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )

    def _chosen_district(self, name: str):
        field = self.fields[name]
        if self.is_bound:
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        else:
            raw = self.get_initial_for_field(field, name)
        try:
            return field.clean(raw)
        except ValidationError:
            return None


class VillageOptionsForm(forms.Form):
    """The query of `villages:options`: which kecamatan's villages to list."""

    district = forms.ModelChoiceField(queryset=District.objects.none())

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.visible_to(user)


class VillageFilterForm(AreaFilterMixin, forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nama atau kode desa"), "autocomplete": "off"}
        ),
    )
    miskin_ekstrem = forms.ChoiceField(
        label=_("Miskin ekstrem"),
        required=False,
        choices=[("", _("Semua")), ("ya", _("Ya")), ("tidak", _("Tidak"))],
    )
    pendamping = forms.ChoiceField(
        label=_("Patriot Desa aktif"),
        required=False,
        choices=[("", _("Semua")), ("ada", _("Ada")), ("belum", _("Belum ada"))],
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_area_fields(user, with_villages=False)

    def filter(self, villages: VillageQuerySet) -> VillageQuerySet:
        data = self.cleaned_data
        villages = self.filter_area(villages.search(data["q"]), district_path="district")
        if data["miskin_ekstrem"] == "ya":
            villages = villages.extreme_poverty()
        elif data["miskin_ekstrem"] == "tidak":
            villages = villages.filter(extreme_poverty_year__isnull=True)
        if data["pendamping"] == "ada":
            villages = villages.with_active_mentor()
        elif data["pendamping"] == "belum":
            villages = villages.without_active_mentor()
        return villages


class ExtremePovertyForm(forms.ModelForm):
    """Sets or clears the flag; the hidden `seen` value refuses a change made on a stale page."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Village
        fields = ["extreme_poverty_year"]
        widgets = {"extreme_poverty_year": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen"].initial = self._stored()

    def _stored(self) -> str:
        return (
            ""
            if self.instance.extreme_poverty_year is None
            else str(self.instance.extreme_poverty_year)
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        current = (
            Village.objects.filter(pk=self.instance.pk)
            .values_list("extreme_poverty_year", flat=True)
            .first()
        )
        current = "" if current is None else str(current)
        if cleaned.get("seen", "") != current:
            # The next submit is judged against what the user has now been shown.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen")] = current
            raise forms.ValidationError(
                _(
                    "Data ini sudah diubah orang lain sejak halaman dibuka: tahun tersimpan "
                    "sekarang %(current)s. Periksa lalu simpan lagi bila perlu."
                ),
                code="conflict",
                params={"current": current or _("(tidak berstatus miskin ekstrem)")},
            )
        return cleaned
