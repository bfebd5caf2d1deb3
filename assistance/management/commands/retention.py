"""`manage.py retention [--dry-run]`: delete now what the daily retention task would delete
(assistance/retention.py), or only list it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from assistance.retention import delete_expired, expired_documents


class Command(BaseCommand):
    help = "Menghapus dokumen kasus yang ditutup lebih dari RETENTION_YEARS tahun lalu."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Hanya menampilkan yang akan dihapus, tanpa menghapus.",
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        years = settings.RETENTION_YEARS
        if not years:
            self.stdout.write(_("Retensi tidak aktif (RETENTION_YEARS=0): tidak ada yang dihapus."))
            return
        if dry_run:
            self.list_expired(years)
            return
        counts = delete_expired(years)
        self.stdout.write(
            _("%(documents)s dokumen dari %(cases)s kasus dihapus (%(size)s).")
            % {**counts, "size": filesizeformat(counts["bytes"])}
        )

    def list_expired(self, years: int) -> None:
        # The stored file name (kasus/<id>/<timestamp>.pdf), never the uploaded one: that may
        # carry a person's name or NIK, and this output may end up in a log.
        header = [_("kasus"), _("dokumen"), _("berkas"), _("ditutup"), _("ukuran (byte)")]
        self.stdout.write("\t".join(header))
        cases, count, size = set(), 0, 0
        for document in expired_documents(years).iterator():
            closed = document.case.closed_on
            row = [document.case_id, document.pk, document.file.name, closed, document.size]
            self.stdout.write("\t".join(str(value) for value in row))
            cases.add(document.case_id)
            count, size = count + 1, size + document.size
        self.stdout.write(
            _("Uji coba: %(documents)s dokumen dari %(cases)s kasus akan dihapus (%(size)s).")
            % {"documents": count, "cases": len(cases), "size": filesizeformat(size)}
        )
