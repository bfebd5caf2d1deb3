"""Delete personal-data PDFs not downloaded within 24 hours. The personal-data pages and the
export task prune too; run this hourly or daily from cron or a systemd timer so that a file
never outlives its day when nobody uses the page: `manage.py prune_personal_data`."""

from django.core.management.base import BaseCommand

from reports.personal_data import prune_exports


class Command(BaseCommand):
    help = "Menghapus salinan data pribadi (PDF) yang lebih tua dari 24 jam."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{prune_exports()} salinan data pribadi dihapus.")
