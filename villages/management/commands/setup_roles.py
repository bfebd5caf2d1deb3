from django.core.management.base import BaseCommand

from villages.roles import ensure_roles


class Command(BaseCommand):
    help = "Membuat atau memperbarui grup peran beserta izinnya (juga berjalan setelah migrate)."

    def handle(self, *args, **options) -> None:
        for role, count in ensure_roles().items():
            self.stdout.write(f"{role}: {count} izin")
