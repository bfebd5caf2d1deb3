"""Delete uploaded import sheets (and their jobs) older than 30 days. Run daily from cron or a
systemd timer: `manage.py prune_imports`."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.models import KEEP_UPLOADS_DAYS, ImportJob


class Command(BaseCommand):
    help = "Menghapus berkas impor yang lebih tua dari 30 hari."

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(days=KEEP_UPLOADS_DAYS)
        old = ImportJob.objects.filter(uploaded_at__lt=cutoff)
        count = 0
        for job in old.iterator():
            if job.file:
                job.file.delete(save=False)
            job.delete()
            count += 1
        self.stdout.write(f"{count} impor lama dihapus.")
