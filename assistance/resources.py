"""Spreadsheet export of facilitation cases (the list's current filters, the user's area)."""

from import_export import fields

from core.imports import AllOrNothingResource

from .models import Case


class CaseExportResource(AllOrNothingResource):
    """Cases as the office reads them: business and place by name, no personal data."""

    business = fields.Field("business__name", "usaha")
    village = fields.Field("business__village__name", "desa")
    village_code = fields.Field("business__village__code", "kode_desa")
    district = fields.Field("business__village__district__name", "kecamatan")
    service = fields.Field("service__name", "layanan")
    status = fields.Field("status", "status")
    step = fields.Field("step__name", "tahap")
    mentor = fields.Field("mentor__user__first_name", "patriot_desa")

    class Meta:
        model = Case
        fields = (
            "id",
            "business",
            "village",
            "village_code",
            "district",
            "service",
            "status",
            "step",
            "mentor",
            "opened_on",
            "submitted_on",
            "closed_on",
            "outcome_number",
            "outcome_date",
            "outcome_expiry",
        )
        export_order = fields

    def dehydrate_status(self, case: Case) -> str:
        return case.get_status_display()

    def dehydrate_mentor(self, case: Case) -> str:
        return str(case.mentor) if case.mentor else ""
