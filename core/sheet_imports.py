"""Spreadsheet imports on the site: the kinds of sheet apps register, and the two background
steps (validate into a preview, then import) that run them.

An app registers a SheetKind in its AppConfig.ready(); the pages (core/import_views.py) offer
every kind the user may import. Both steps read the kept upload again, so the worker needs
nothing from the request.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import ImportRefused, sheet_line
from .models import ImportJob
from .sheets import SHEET_LINES, SheetError, read_sheet
from .uploads import SHEET_MAX_BYTES

log = logging.getLogger(__name__)
PROGRESS_EVERY = 200  # rows between progress writes


@dataclass(frozen=True)
class SheetKind:
    key: str
    label: str
    # a sheet both adds and changes rows: the user needs every one of these
    permissions: tuple[str, ...]
    # (user, filename) -> a resource (AllOrNothingResource) acting for that user
    resource: Callable
    # user -> the XLSX template's bytes
    template: Callable
    # column aliases (header as people write it -> the resource's column name)
    aliases: dict
    # url name of the list the summary links to
    list_url: str
    # For sheets too big for a dataset in memory (a regency's SIDT extract): (user, filename)
    # -> an object whose `run(upload, *, dry_run, progress)` reads the file as a stream, writes
    # in its own transaction (all or nothing) and returns an Outcome. `resource` is then unused.
    importer: Callable | None = None
    # a template the preview includes instead of the generic counts (e.g. field-by-field changes)
    preview_template: str = ""
    # the largest file of this kind (core.uploads.SHEET_LARGEST_BYTES at most)
    max_bytes: int = SHEET_MAX_BYTES


@dataclass
class Outcome:
    """What checking or importing a sheet found: its rows, counts, problems and warnings."""

    total_rows: int = 0
    counts: dict = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


SHEET_KINDS: dict[str, SheetKind] = {}


def register_sheet(kind: SheetKind) -> SheetKind:
    SHEET_KINDS[kind.key] = kind
    return kind


def kinds_for(user) -> list[SheetKind]:
    return [kind for kind in SHEET_KINDS.values() if user.has_perms(kind.permissions)]


def _progress(job: ImportJob, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if done % PROGRESS_EVERY == 0 and total:
            ImportJob.objects.filter(pk=job.pk).update(progress=min(99, 100 * done // total))

    return report


def _problems(result) -> list[dict]:
    """Every error of an import result, by row, spreadsheet line and column."""
    problems = [
        {"row": None, "line": None, "column": "", "message": str(e.error)}
        for e in result.base_errors
    ]
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(
                {
                    "row": number,
                    "line": sheet_line(number),
                    "column": "",
                    "message": str(error.error),
                }
            )
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            for message in messages:
                problems.append(
                    {
                        "row": invalid.number,
                        "line": sheet_line(invalid.number),
                        "column": column,
                        "message": str(message),
                    }
                )
        for message in invalid.non_field_specific_errors:
            problems.append(
                {
                    "row": invalid.number,
                    "line": sheet_line(invalid.number),
                    "column": "",
                    "message": str(message),
                }
            )
    return problems


def _run(job: ImportJob, *, dry_run: bool):
    """Read the kept upload and check (or import) it; returns the sheet, the resource, the
    result and its problems (listed while the sheet's line numbers are known)."""
    kind = SHEET_KINDS[job.kind]
    with job.file.open("rb") as upload:
        content = upload.read()
    resource = kind.resource(job.uploaded_by, job.filename)
    sheet = read_sheet(
        content, job.filename, kind.aliases | {c: c for c in resource.known_columns()}
    )
    resource.report_progress = _progress(job, len(sheet.dataset))
    token = SHEET_LINES.set(sheet.lines)
    try:
        if dry_run:
            # The preview writes nothing and runs outside a transaction, so its progress shows.
            result = resource.check_data(sheet.dataset)
        else:
            # The import runs in one transaction: all rows or none.
            result = resource.import_data(sheet.dataset, raise_errors=False)
        problems = _problems(result)
    finally:
        SHEET_LINES.reset(token)
    return sheet, resource, result, problems


def _streamed(job: ImportJob, *, dry_run: bool) -> Outcome:
    importer = SHEET_KINDS[job.kind].importer(job.uploaded_by, job.filename)

    def progress(percent: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=max(0, min(99, percent)))

    with job.file.open("rb") as upload:
        return importer.run(upload, dry_run=dry_run, progress=progress)


def _check(job: ImportJob) -> Outcome:
    if SHEET_KINDS[job.kind].importer is not None:
        return _streamed(job, dry_run=True)
    sheet, resource, result, problems = _run(job, dry_run=True)
    return Outcome(
        total_rows=len(sheet.dataset),
        counts={k: result.totals.get(k, 0) for k in ("new", "update", "skip", "error", "invalid")},
        problems=problems,
        warnings=getattr(resource, "warnings", []),
    )


def _write(job: ImportJob) -> Outcome:
    if SHEET_KINDS[job.kind].importer is not None:
        return _streamed(job, dry_run=False)
    _sheet, _resource, result, problems = _run(job, dry_run=False)
    return Outcome(
        counts={k: result.totals.get(k, 0) for k in ("new", "update", "skip")}, problems=problems
    )


def validate(job: ImportJob) -> ImportJob:
    """Check every row without writing: errors, warnings and counts for the preview."""
    try:
        outcome = _check(job)
    except (SheetError, ImportRefused) as error:
        job.errors = [{"row": None, "line": None, "column": "", "message": str(error)}]
        outcome = None
    except Exception:
        log.exception("Import job %s: validation failed", job.pk)
        job.message = _("Pemeriksaan gagal karena kesalahan sistem; hubungi admin Dinas.")
        job.state = ImportJob.State.FAILED
        job.save()
        return job
    if outcome is not None:
        job.total_rows = outcome.total_rows
        job.errors = outcome.problems
        job.warnings = outcome.warnings
        job.counts = outcome.counts
    job.state = ImportJob.State.PREVIEW
    job.progress = 100
    job.save()
    return job


def run_import(job: ImportJob) -> ImportJob:
    """Write the whole sheet in one transaction, or nothing."""
    changed = True  # a failure found by the checks: the data changed since the preview
    outcome = None
    try:
        outcome = _write(job)
        problems = outcome.problems
    except (SheetError, ImportRefused) as error:
        problems = [{"row": None, "line": None, "column": "", "message": str(error)}]
    except Exception:
        log.exception("Import job %s: import failed", job.pk)
        changed = False
        problems = [
            {
                "row": None,
                "line": None,
                "column": "",
                "message": _("Impor gagal karena kesalahan sistem; tidak ada yang disimpan."),
            }
        ]
    job.finished_at = timezone.now()
    if problems:
        # Nothing was written: say why.
        job.errors = problems
        job.state = ImportJob.State.FAILED
        job.message = (
            _("Tidak ada yang disimpan: data berubah sejak pratinjau. Periksa lagi.")
            if changed
            else _("Tidak ada yang disimpan: kesalahan sistem. Coba lagi atau hubungi admin Dinas.")
        )
    else:
        job.counts = outcome.counts
        job.state = ImportJob.State.DONE
    job.progress = 100
    job.save()
    return job


@task
def validate_task(job_id: int) -> str:
    return validate(ImportJob.objects.get(pk=job_id)).state


@task
def import_task(job_id: int) -> str:
    return run_import(ImportJob.objects.get(pk=job_id)).state


def start(job: ImportJob, step) -> None:
    """Queue a step once the job's row is committed."""
    transaction.on_commit(lambda: step.enqueue(job.pk))
