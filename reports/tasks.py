"""Background work of the reports: making a PDF (run by `manage.py db_worker`)."""

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone

from . import figures, pdf
from .models import Report, Signer

log = logging.getLogger(__name__)


def make_report(report: Report) -> Report:
    """Render `report` with its requester's view of the data and store it with its checksum."""
    report.state = Report.State.RUNNING
    report.save(update_fields=["state"])
    try:
        user = get_user_model().objects.get(pk=report.requested_by_id)
        period = figures.parse_period(report.period)
        area = figures.Area(district=report.district, village=report.village)
        result = figures.compute(user, period, area, full=True)
        data, pages = pdf.render_pdf(result, signer=report.signer or Signer.objects.first())
        report.file.save(f"laporan-{report.pk}.pdf", ContentFile(data), save=False)
    except Exception as error:
        log.exception("Report %s failed", report.pk)
        report.state = Report.State.FAILED
        report.error = f"{type(error).__name__}: {error}"[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["state", "error", "finished_at"])
        return report
    report.sha256 = hashlib.sha256(data).hexdigest()
    report.size = len(data)
    report.pages = pages
    report.state = Report.State.DONE
    report.finished_at = timezone.now()
    report.save()
    return report


@task
def make_report_task(report_id: int) -> str:
    report = make_report(Report.objects.select_related("district", "village").get(pk=report_id))
    return report.state
