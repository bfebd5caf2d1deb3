from django import forms
from django.utils.translation import gettext_lazy as _

from .models import District, Village, VillageQuerySet


class VillageFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nama atau kode desa"), "autocomplete": "off"}
        ),
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Semua kecamatan"),
        to_field_name="code",
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
        self.fields["kecamatan"].queryset = District.objects.visible_to(user).in_home_regency()

    def filter(self, villages: VillageQuerySet) -> VillageQuerySet:
        data = self.cleaned_data
        villages = villages.search(data["q"])
        if data["kecamatan"]:
            villages = villages.filter(district=data["kecamatan"])
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
