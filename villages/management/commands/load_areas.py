"""Load Kemendagri areas (provinces, regencies, kecamatan, desa/kelurahan) from the idn-area CSVs.

    manage.py load_areas --regency 32.15      # Kabupaten Karawang
    manage.py load_areas --province 32        # all of Jawa Barat
    manage.py load_areas --all                # all of Indonesia

Idempotent: rows are matched by code; a second run creates and updates nothing. Flags the office
sets (such as extreme poverty) are never touched.
"""

import csv
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from villages.models import District, Province, Regency, Village

DEFAULT_SOURCE = settings.BASE_DIR / "fixtures" / "idn-area"

# (model, csv file, parent model, parent column, code pattern)
LEVELS = [
    (Province, "provinces.csv", None, None, r"\d{2}"),
    (Regency, "regencies.csv", Province, "province_code", r"\d{2}\.\d{2}"),
    (District, "districts.csv", Regency, "regency_code", r"\d{2}\.\d{2}\.\d{2}"),
    # 1 kelurahan, 2 desa, 3 desa adat (see Village.KIND_*)
    (Village, "villages.csv", District, "district_code", r"\d{2}\.\d{2}\.\d{2}\.[123]\d{3}"),
]


class Command(BaseCommand):
    help = "Memuat data wilayah Kemendagri (idn-area) untuk satu provinsi, kabupaten, atau semua."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--province", help="kode provinsi, mis. 32")
        scope.add_argument("--regency", help="kode kabupaten/kota, mis. 32.15")
        scope.add_argument("--all", action="store_true", help="seluruh Indonesia")
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)

    def handle(self, *args, **options) -> None:
        source: Path = options["source"]
        prefix = options["province"] or options["regency"] or ""
        if prefix and not re.fullmatch(r"\d{2}(\.\d{2})?", prefix):
            raise CommandError(f"Kode wilayah tidak valid: {prefix!r} (contoh: 32 atau 32.15)")
        with transaction.atomic():
            for model, filename, parent, parent_column, pattern in LEVELS:
                rows = self.read(source / filename, prefix, pattern, parent_column)
                if not rows:
                    raise CommandError(f"Tidak ada data untuk kode {prefix!r} di {filename}.")
                created, updated, unchanged = self.upsert(model, rows, parent)
                self.stdout.write(
                    f"{model._meta.verbose_name_plural}: {created} baru, {updated} diperbarui, "
                    f"{unchanged} tetap"
                )

    def read(self, path: Path, prefix: str, pattern: str, parent_column: str | None) -> list:
        if not path.exists():
            raise CommandError(f"Berkas tidak ditemukan: {path}")
        code_re = re.compile(pattern)
        rows = []
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                code = row["code"].strip()
                # A regency prefix also selects its own province row (e.g. 32 for 32.15).
                if prefix and not (code.startswith(prefix) or prefix.startswith(code + ".")):
                    continue
                if not code_re.fullmatch(code) or not row["name"].strip():
                    raise CommandError(f"{path.name} baris {line}: kode atau nama tidak valid")
                parent = row[parent_column].strip() if parent_column else None
                rows.append((code, row["name"].strip(), parent))
        return rows

    def upsert(self, model, rows: list, parent_model) -> tuple[int, int, int]:
        parent_field = (
            model._meta.get_field(parent_model._meta.model_name) if parent_model else None
        )
        parent_ids = {}
        if parent_model:
            parent_ids = dict(parent_model.objects.values_list("code", "pk"))
        fields = ["name", parent_field.attname] if parent_field else ["name"]
        existing = {obj.code: obj for obj in model.objects.only("code", *fields)}
        to_create, to_update, unchanged = [], [], 0
        for code, name, parent_code in rows:
            values = {"name": name}
            if parent_field:
                if parent_code not in parent_ids:
                    raise CommandError(f"{code}: induk {parent_code} tidak ditemukan")
                values[parent_field.attname] = parent_ids[parent_code]
            obj = existing.get(code)
            if obj is None:
                to_create.append(model(code=code, **values))
            elif any(getattr(obj, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(obj, field, value)
                to_update.append(obj)
            else:
                unchanged += 1
        model.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            model.objects.bulk_update(to_update, fields, batch_size=2000)
        return len(to_create), len(to_update), unchanged
