"""Restore an archive of `manage.py backup` into a fresh database and folder, then check that
every table has the rows and every file the checksum the backup recorded."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = _(
        "Memulihkan arsip cadangan ke basis data kosong, lalu memeriksa jumlah baris dan "
        "checksum berkas."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url",
            required=True,
            help=_("basis data tujuan, mis. postgres://user@host:5432/nama (harus kosong)"),
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=settings.PRIVATE_MEDIA_ROOT,
            help=_("folder tujuan berkas privat (bawaan: PRIVATE_MEDIA_ROOT)"),
        )
        parser.add_argument(
            "--force", action="store_true", help=_("timpa basis data dan folder yang tidak kosong")
        )

    def handle(
        self, *args, archive: Path, database_url: str, media_root: Path, force: bool, **options
    ) -> None:
        try:
            result = restore_backup(archive, database_url, media_root, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(tables)d tabel, %(rows)d baris, %(files)d berkas dipulihkan.")
            % {"tables": result.tables, "rows": result.rows, "files": result.files}
        )
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            raise CommandError(
                _("Pemulihan TIDAK cocok dengan cadangan: %d masalah.") % len(result.problems)
            )
        self.stdout.write(_("Semua jumlah baris dan checksum cocok."))
