"""Back up the database and the private files into one archive (core/backup.py). Run daily from
a systemd timer or cron: `manage.py backup --keep 14`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backup import BackupError, create_backup, prune_backups


class Command(BaseCommand):
    help = _("Mencadangkan basis data dan berkas privat ke satu arsip .tar.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", type=Path, default=settings.BACKUP_DIR, help=_("folder arsip cadangan")
        )
        parser.add_argument(
            "--keep", type=int, default=0, help=_("simpan hanya N arsip terbaru (0: semua)")
        )

    def handle(self, *args, output: Path, keep: int, **options) -> None:
        try:
            archive = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Cadangan ditulis: %s") % archive)
        if keep > 0:
            for old in prune_backups(output, keep):
                self.stdout.write(_("Cadangan lama dihapus: %s") % old)
