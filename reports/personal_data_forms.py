"""Forms of the personal-data page: the NIK to look for, and an erasure's confirmation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from businesses.validators import clean_nik

_NIK_WIDGET = forms.TextInput(
    attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
)


class NikForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,  # room for spaces and dots; clean_nik wants 16 digits
        widget=_NIK_WIDGET,
        help_text=_("16 digit, dari KTP subjek data."),
    )

    def clean_nik(self) -> str:
        return clean_nik(self.cleaned_data["nik"])


class ErasureForm(forms.Form):
    """The NIK shown (hidden) and typed again: an erasure cannot be a slip of the mouse."""

    nik = forms.CharField(max_length=40, widget=forms.HiddenInput)
    confirm_nik = forms.CharField(
        label=_("Ketik ulang NIK untuk konfirmasi"), max_length=40, widget=_NIK_WIDGET
    )
    reason = forms.CharField(
        label=_("Alasan dan dasar hukum"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mis. permohonan penghapusan dari subjek data: tanggal dan nomor surat."),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "erase_%s")  # the search form on the same page has id_nik
        super().__init__(*args, **kwargs)

    def clean_nik(self) -> str:
        return clean_nik(self.cleaned_data["nik"])

    def clean_confirm_nik(self) -> str:
        return clean_nik(self.cleaned_data["confirm_nik"])

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(_("Tuliskan alasan dan dasar hukumnya (minimal 10 huruf)."))
        return reason

    def clean(self) -> dict:
        cleaned = super().clean()
        nik, confirm = cleaned.get("nik"), cleaned.get("confirm_nik")
        if nik and confirm and nik != confirm:
            self.add_error("confirm_nik", _("NIK yang diketik ulang tidak sama."))
        return cleaned
