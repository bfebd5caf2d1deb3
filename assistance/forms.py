from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from businesses.models import Business
from core.files import DocumentFormMixin
from core.forms import DateInput, FoldedFiltersMixin, QuickSelect, RowModelChoiceField
from core.uploads import PhotoFormField
from villages.access import VIEW_ALL
from villages.forms import AreaFilterMixin
from villages.models import Assignment, Mentor, Village

from .models import (
    Case,
    CaseDocument,
    Catalogue,
    Service,
    Status,
    Step,
    Verification,
    VerificationResult,
    Visit,
)


class CaseFilterForm(FoldedFiltersMixin, AreaFilterMixin, forms.Form):
    q = forms.CharField(
        label=_("Cari usaha"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nama usaha/pemilik")}),
    )
    # Service and step choices come from the page's Catalogue (see __init__), not a query each.
    layanan = forms.ChoiceField(label=_("Layanan"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), ("aktif", _("Semua yang aktif")), *Status.choices],
    )
    tahap = forms.TypedChoiceField(
        label=_("Tahap"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    mentor = RowModelChoiceField(
        label=_("Patriot Desa"),
        queryset=Mentor.objects.none(),
        required=False,
        empty_label=_("Semua"),
        label_fields=("user__first_name", "user__last_name"),
        label_format="{} {}",
    )
    macet = forms.BooleanField(label=_("Macet (14 hari tanpa aktivitas)"), required=False)
    field_order = ["q", "layanan", "status", "tahap", "kecamatan", "desa", "mentor", "macet"]

    def __init__(self, *args, user, catalogue: Catalogue, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.catalogue = catalogue
        self.fields["layanan"].choices = [
            ("", _("Semua layanan")),
            *((service.code, service.name) for service in catalogue.services),
        ]
        self.fields["tahap"].choices = [
            ("", _("Semua tahap")),
            *((step.pk, f"{step.service.name}: {step}") for step in catalogue.steps),
        ]
        self.add_area_fields(user)
        villages = Village.objects.visible_to(user).in_home_regency()
        self.fields["mentor"].queryset = Mentor.objects.filter(
            pk__in=Mentor.objects.filter(assignments__village__in=villages).values("pk")
        ).order_by("user__first_name", "user__last_name")

    def filter(self, cases):
        data = self.cleaned_data
        if data["q"]:
            # A mentor's or camat's area is small: search its businesses' rows directly.
            if self.user.has_perm(VIEW_ALL):
                matches = Business.objects.search(data["q"])
            else:
                matches = Business.objects.visible_to(self.user).search(data["q"], within_area=True)
            cases = cases.filter(business__in=matches)
        if data["layanan"]:
            cases = cases.filter(service=self.catalogue.service(data["layanan"]))
        if data["status"] == "aktif":
            cases = cases.active()
        elif data["status"]:
            cases = cases.filter(status=data["status"])
        if data["tahap"]:
            cases = cases.filter(step_id=data["tahap"])
        cases = self.filter_area(cases, village_path="business__village")
        if data["mentor"]:
            cases = cases.filter(mentor=data["mentor"])
        if data["macet"]:
            cases = cases.stalled()
        return cases


class CaseCreateForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Catatan awal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Case
        fields = ["service", "mentor", "opened_on"]
        widgets = {"opened_on": DateInput()}

    def __init__(self, *args, business: Business, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.business = business
        taken = business.cases.values("service")
        self.fields["service"].queryset = Service.objects.exclude(pk__in=taken)
        self.fields["service"].empty_label = None
        active_here = Assignment.objects.active().filter(village=business.village_id)
        self.fields["mentor"].queryset = (
            Mentor.objects.filter(assignments__in=active_here).select_related("user").distinct()
        )
        own = Mentor.objects.filter(user=user).first()
        if own:
            self.fields["mentor"].initial = own.pk

    def clean_service(self) -> Service:
        service = self.cleaned_data["service"]
        if Case.objects.filter(business=self.instance.business, service=service).exists():
            raise ValidationError(
                gettext("Usaha ini sudah punya kasus %(service)s.") % {"service": service}
            )
        return service


class VersionedActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(VersionedActionForm):
    step = forms.ModelChoiceField(label=_("Tahap"), queryset=Step.objects.none())
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = case.service.steps.all()
        self.fields["version"].initial = case.version
        if case.next_step:
            self.fields["step"].initial = case.next_step.pk


class StatusForm(VersionedActionForm):
    status = forms.ChoiceField(label=_("Ubah status ke"))
    reason = forms.CharField(
        label=_("Alasan (wajib bila ditolak/dibatalkan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome_number = forms.CharField(label=_("Nomor yang terbit"), required=False, max_length=50)
    outcome_date = forms.DateField(label=_("Tanggal terbit"), required=False, widget=DateInput())
    outcome_expiry = forms.DateField(label=_("Berlaku sampai"), required=False, widget=DateInput())

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Status(s).label) for s in case.allowed_moves()]
        self.fields["version"].initial = case.version

    def outcome(self) -> dict:
        data = self.cleaned_data
        return {
            "number": data.get("outcome_number", "").strip(),
            "date": data.get("outcome_date"),
            "expiry": data.get("outcome_expiry"),
        }


class OutcomeReviewForm(VersionedActionForm):
    VERIFY = "verifikasi"
    SEND_BACK = "kembalikan"

    decision = forms.ChoiceField(
        choices=[(VERIFY, _("Verifikasi hasil")), (SEND_BACK, _("Kembalikan"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Alasan pengembalian (wajib bila dikembalikan)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = case.version


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Catatan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(DocumentFormMixin, forms.ModelForm):
    class Meta:
        model = CaseDocument
        fields = ["file", "kind", "title"]
        widgets = {
            "file": forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(PhotoFormField):
    """Several photos in one input (a phone's gallery picker), each cleaned and shrunk for a weak
    signal by `PhotoFormField`."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
    max_photos = 6

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > self.max_photos:
            raise ValidationError(
                gettext("Paling banyak %(n)s foto sekali unggah.") % {"n": self.max_photos}
            )
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as error:
                # Which of six photos was refused matters to someone picking from a gallery.
                name = getattr(upload, "name", "")
                errors += [f"{name}: {message}" for message in error.messages]
        if errors:
            raise ValidationError(errors)
        return cleaned


class VisitForm(forms.ModelForm):
    photos = MultiplePhotoField(label=_("Foto"), required=False)

    class Meta:
        model = Visit
        fields = ["village", "date", "businesses", "activities", "notes"]
        widgets = {
            "date": DateInput(),
            "businesses": forms.CheckboxSelectMultiple,
            "activities": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        villages = Village.objects.editable_by(user).in_home_regency().select_related("district")
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda v: f"{v.name} ({v.district.name})"
        self.fields["businesses"].queryset = (
            Business.objects.editable_by(user).select_related("village").order_by("name")
        )
        self.fields["businesses"].label_from_instance = lambda b: f"{b.name} ({b.village.name})"
        if not self.initial.get("village") and villages.count() == 1:
            self.initial["village"] = villages.first().pk

    def clean_date(self):
        visited = self.cleaned_data["date"]
        if visited > timezone.localdate():
            raise ValidationError(gettext("Tanggal kunjungan tidak boleh di masa depan."))
        return visited

    def clean(self) -> dict:
        cleaned = super().clean()
        village = cleaned.get("village")
        others = [
            b for b in cleaned.get("businesses", []) if village and b.village_id != village.pk
        ]
        if others:
            self.add_error(
                "businesses",
                gettext("Usaha berikut bukan di desa yang dikunjungi: %(names)s.")
                % {"names": ", ".join(b.name for b in others)},
            )
        return cleaned


class VerificationForm(forms.ModelForm):
    class Meta:
        model = Verification
        fields = ["result", "date", "note", "photo"]
        widgets = {
            "result": forms.RadioSelect,
            "date": DateInput(),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_date(self):
        verified = self.cleaned_data["date"]
        if verified > timezone.localdate():
            raise ValidationError(gettext("Tanggal verifikasi tidak boleh di masa depan."))
        return verified


class VerificationFilterForm(forms.Form):
    UNVERIFIED = "belum"
    VERIFIED = "sudah"

    status = forms.ChoiceField(
        label=_("Status verifikasi"),
        required=False,
        choices=[
            (UNVERIFIED, _("Belum diverifikasi")),
            (VERIFIED, _("Sudah diverifikasi")),
            ("semua", _("Semua data SIDT")),
        ],
    )
    hasil = forms.ChoiceField(
        label=_("Hasil terakhir"),
        required=False,
        choices=[("", _("Semua hasil")), *VerificationResult.choices],
    )
