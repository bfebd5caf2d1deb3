"""Time and peak memory of importing a SIDT extract into an empty registry, then the same
extract with 5% of its rows changed, printed:

    DATABASE_URL=postgres://…/karawang_bench_sidt manage.py bench_sidt_import --rows 200000

Each step (check, import) runs as the worker runs it (core.sheet_imports.validate and
run_import, history included) in a child process of its own, so that its peak memory (maxrss)
is its own. The businesses it imported are deleted before and after (`--keep` keeps them).
"""

import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import connection, connections

from businesses.models import Business
from core.benchmarks import refuse_unless_bench_database
from core.models import ImportJob
from core.sheet_imports import run_import, validate

from .generate_sidt_extract import write_extract

PREFIX = "SIDT-"


def _step(name: str, job_id: int, results) -> None:
    """One step in a child process: its time, its own peak memory, the job's outcome."""
    connections.close_all()  # the parent's connection is not the child's to use
    start = time.perf_counter()
    job = (validate if name == "check" else run_import)(ImportJob.objects.get(pk=job_id))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put(
        (
            seconds,
            peak,
            job.state,
            job.counts.get("new"),
            job.counts.get("update"),
            job.counts.get("skip"),
            len(job.errors),
        )
    )
    connections.close_all()


def run_step(name: str, job: ImportJob) -> tuple:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_step, args=(name, job.pk, results))
    child.start()
    outcome = results.get()
    child.join()
    return outcome


def _forget() -> None:
    # Raw deletes: the generated businesses have nothing attached, and the ORM's cascade
    # collection of 200,000 rows would take longer than the import.
    Business.history.filter(sidt_id__startswith=PREFIX)._raw_delete(connection.alias)
    Business.objects.filter(sidt_id__startswith=PREFIX)._raw_delete(connection.alias)


class Command(BaseCommand):
    help = "Mengukur impor ekstrak SIDT (detik, memori puncak), lalu impor ulang dengan 5% berubah."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=200_000)
        parser.add_argument("--change", type=float, default=5.0)
        parser.add_argument("--user", default="dinkop")
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, rows: int, change: float, user: str, keep: bool, **options) -> None:
        refuse_unless_bench_database()
        person = get_user_model().objects.get(username=user)
        _forget()
        with tempfile.TemporaryDirectory() as folder:
            first, second = Path(folder, "sidt-1.csv"), Path(folder, "sidt-2.csv")
            start = time.perf_counter()
            write_extract(rows=rows, out=str(first))
            write_extract(rows=rows, out=str(second), changed_from=str(first), change=change)
            self.stdout.write(
                f"Ekstrak {rows:,} baris ({first.stat().st_size / 2**20:.0f} MB) dan salinannya "
                f"dengan {change:g}% berubah ditulis dalam {time.perf_counter() - start:.1f} s"
            )
            for label, path in (("impor pertama", first), (f"impor ulang, {change:g}%", second)):
                self._measure(label, path, person)
        history = Business.history.filter(sidt_id__startswith=PREFIX).count()
        businesses = Business.objects.filter(sidt_id__startswith=PREFIX).count()
        self.stdout.write(
            f"{businesses:,} usaha, {history:,} catatan riwayat ({connection.vendor})"
        )
        if not keep:
            _forget()

    def _measure(self, label: str, path: Path, person) -> None:
        job = ImportJob(kind="sidt", filename=path.name, uploaded_by=person)
        with path.open("rb") as extract:
            job.file.save(path.name, File(extract), save=False)
        job.save()
        check = run_step("check", job)
        imported = run_step("import", job)
        for name, (seconds, peak, state, new, updated, same, errors) in (
            ("periksa", check),
            ("impor", imported),
        ):
            self.stdout.write(
                f"{label}, {name}: {seconds:.1f} s, memori puncak {peak:.0f} MB; {state}: "
                f"{new} baru, {updated} berubah, {same} tidak berubah, {errors} kesalahan"
            )
        job.file.delete(save=False)
        job.delete()
