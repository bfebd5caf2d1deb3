"""Form building blocks every app uses: inline validation, optimistic locking, confirmable
warnings, Rupiah and date inputs."""

import html
import re
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .concurrency import EditConflict, save_versioned


class DateInput(forms.DateInput):
    """An HTML date input: the browser shows its own picker, the value travels as ISO."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+|\d{1,3}(,\d{3})+")


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python instead of one template per option.

    Django renders each <option> through a template (about 0.4 ms each), so a filter listing a
    regency's 300 villages spent 100 ms of every list page on that one field. Same markup."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        selected = set(self.format_value(value))
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        parts = [format_html("<select{}>", flatatt(final_attrs))]
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(value, text, selected) for value, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label escaped

    @staticmethod
    def _option(value, label, selected: set[str]) -> str:
        # The standard library's escape: what Django's does, without its lazy-string wrapper
        # (a third of this loop's time).
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        return f'<option value="{html.escape(value)}"{mark}>{html.escape(str(label))}</option>'


class _RowChoiceIterator(forms.models.ModelChoiceIterator):
    """Options from one `values_list` query: no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        field = self.field
        rows = field.queryset.values_list(field.to_field_name or "pk", *field.label_fields)
        for value, *labels in rows:
            yield (value, field.label_format.format(*labels))


class RowModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for long lists (a regency's villages): its options are read as plain
    rows and written by QuickSelect, so listing 300 villages costs about 1 ms instead of 60. The
    chosen value still cleans to a model instance. `label_fields` are looked up with
    `values_list`, then put into `label_format`."""

    iterator = _RowChoiceIterator
    widget = QuickSelect

    def __init__(self, *args, label_fields=("name",), label_format="{}", **kwargs) -> None:
        self.label_fields = label_fields
        self.label_format = label_format
        super().__init__(*args, **kwargs)


class RupiahField(forms.IntegerField):
    """Whole Rupiah; accepts what people type: 'Rp 1.500.000', '1500000', '1 500 000'."""

    default_error_messages = {
        "invalid": _("Tulis jumlah Rupiah tanpa sen, mis. 1.500.000."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = re.sub(r"(?i)^\s*rp\.?\s*", "", value).replace(" ", "")
            # Thousands grouped by dots (or commas, as an English keyboard types them); a
            # decimal part ('1,5') is refused rather than guessed.
            if _GROUPED.fullmatch(value):
                value = re.sub(r"[.,]", "", value)
            elif value and not value.isdigit():
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class InlineValidationMixin:
    """Each input re-validates on change with htmx and shows its own errors in place.

    The view answers a POST carrying `_validate=<field>` with that field's errors only
    (see `inline_errors_response`); nothing is saved. Without JavaScript the form posts as usual.

    Each field's check is synchronised with itself only (`this:replace`: a newer value of the
    same field replaces its check in flight). Synchronising on the whole form dropped the checks
    of fields left while another field's check was still travelling (name, owner, NIK tabbed
    through within one round trip lost the NIK's error).
    """

    def enable_inline_validation(self, url: str) -> None:
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput | forms.FileInput):
                continue
            if "hx-get" in field.widget.attrs:
                continue  # the field drives a request of its own (e.g. a kecamatan's villages)
            field.widget.attrs.update(
                {
                    "hx-post": url,
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                    "hx-vals": f'{{"_validate": "{self.add_prefix(name)}"}}',
                    "hx-target": f"#errors-{self.add_prefix(name)}",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )


class ConfirmableWarningsMixin:
    """Soft checks: `collect_warnings()` returns messages a user must confirm before saving."""

    confirm_label = _("Saya sudah memeriksa peringatan di atas; simpan tetap.")

    def add_confirm_field(self) -> None:
        self.fields["confirm_warnings"] = forms.BooleanField(
            label=self.confirm_label, required=False
        )
        self.warnings: list[str] = []

    def collect_warnings(self) -> list[str]:
        return []

    def check_warnings(self) -> None:
        """Call at the end of clean(): unconfirmed warnings keep the form from saving."""
        if self.errors:
            return
        self.warnings = self.collect_warnings()
        if self.warnings and not self.cleaned_data.get("confirm_warnings"):
            self.add_error(
                None,
                forms.ValidationError(
                    _("Periksa peringatan berikut, lalu centang konfirmasi untuk menyimpan."),
                    code="unconfirmed",
                ),
            )


class VersionedFormMixin:
    """Carries the version the page was rendered with; `save_or_conflict` refuses a stale save."""

    conflict_message = _(
        "Data ini sudah diubah orang lain sejak Anda membukanya. Perubahan Anda belum disimpan. "
        "Nilai yang tersimpan sekarang ditunjukkan di bawah; periksa lalu simpan lagi bila perlu."
    )
    masked_fields: dict[str, Any] = {}

    def add_version_field(self) -> None:
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.fields["version"].initial = self.instance.version
        self.conflict: list[tuple[str, str, str]] = []

    def save_or_conflict(self, **save_kwargs: Any) -> bool:
        instance = self.save(commit=False)
        expected = self.cleaned_data.get("version") or instance.version
        try:
            save_versioned(instance, expected, **save_kwargs)
        except EditConflict as conflict:
            self._show_conflict(conflict.current)
            return False
        self.save_m2m()
        return True

    def _show_conflict(self, current: Any) -> None:
        if current is None:
            self.add_error(None, _("Data ini sudah dihapus orang lain."))
            return
        for name, field in self.fields.items():
            if name in ("version", "confirm_warnings") or not hasattr(current, name):
                continue
            stored = getattr(current, name)
            yours = self.cleaned_data.get(name)
            if hasattr(stored, "pk"):
                stored = stored.pk
                yours = getattr(yours, "pk", yours)
            if (stored or "") != (yours or ""):
                show = self.masked_fields.get(name, lambda value: value)
                self.conflict.append((field.label, show(yours or ""), show(stored or "")))
        # The next submit is judged against the state the user has now been shown.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = current.version
        self.add_error(None, forms.ValidationError(self.conflict_message, code="conflict"))


class FoldedFiltersMixin:
    """A list's filter form folded on a phone (templates/includes/filters.html): the search field
    stays in sight, the other fields sit behind a "Filter (n)" button counting those in use.

    `field_order` is the order the fields are shown in, the area fields added in `__init__`
    included (villages.forms.AreaFilterMixin applies it again after adding them)."""

    search_field = "q"

    def search_bound_field(self) -> forms.BoundField | None:
        return self[self.search_field] if self.search_field in self.fields else None

    def filter_bound_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name != self.search_field]

    def active_filter_count(self) -> int:
        """Filters that narrow the list now: an invalid form filters nothing."""
        if not self.is_bound or not self.is_valid():
            return 0
        return sum(
            1
            for name, value in self.cleaned_data.items()
            if name != self.search_field and value not in (None, "", False, [], ())
        )
