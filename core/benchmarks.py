"""Shared by the benchmark commands (bench, bench_report, bench_import)."""

from django.core.management.base import CommandError
from django.db import connection


def refuse_unless_bench_database() -> None:
    """Benchmarks write (and may empty) thousands of rows: never into a real database."""
    name = str(connection.settings_dict.get("NAME") or "")
    if "bench" not in name.rsplit("/", 1)[-1]:
        raise CommandError(
            f"Database {name!r} is not a benchmark database (its name must contain 'bench'): "
            "use a `make bench…` target, or set DATABASE_URL to one."
        )
