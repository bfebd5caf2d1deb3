"""Backups that restore: one archive holding the database, the private files and a manifest of
what they held, and a restore that checks it got exactly that back.

An archive (`karawang-umkm-YYYYmmdd-HHMMSS.tar`) holds:
- `database.dump`: `pg_dump -Fc --no-owner` (PostgreSQL), or `database.sqlite3`, a copy made
  with SQLite's backup API;
- `private-media.tar.gz`: every file under PRIVATE_MEDIA_ROOT;
- `manifest.json`: the application's version and commit, the time, the row count of every
  table of every installed model, and the sha256 of every private file.

The row counts are taken from the same snapshot the dump is (an exported PostgreSQL snapshot,
or the SQLite copy itself), so they match it even while people keep working. Only machinery
lives here: the tables are whatever `apps.get_models()` has.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

ARCHIVE_PREFIX = "karawang-umkm-"
MANIFEST = "manifest.json"
FILES = "private-media.tar.gz"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


# -- what the application is and holds


def app_version() -> dict[str, str | None]:
    pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    return {"version": pyproject["project"]["version"], "commit": _commit()}


def _commit() -> str | None:
    if commit := os.environ.get("APP_COMMIT"):
        return commit
    try:
        done = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def app_tables() -> list[str]:
    """Every table of an installed model (many-to-many tables too) and the migration record."""
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted({*names, MigrationRecorder.Migration._meta.db_table})


def sha256(source: IO[bytes]) -> str:
    return hashlib.file_digest(source, "sha256").hexdigest()


def file_checksums(root: Path) -> dict[str, str]:
    checksums = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with path.open("rb") as f:
            checksums[path.relative_to(root).as_posix()] = sha256(f)
    return checksums


# -- databases: the configured one (Django's connection) and a target given by URL


def engine_of(db: dict) -> str:
    if db["ENGINE"].endswith("postgresql"):
        return "postgresql"
    if db["ENGINE"].endswith("sqlite3"):
        return "sqlite"
    raise BackupError(_("Cadangan hanya untuk PostgreSQL dan SQLite, bukan %s.") % db["ENGINE"])


def libpq_env(db: dict) -> dict[str, str]:
    """The environment pg_dump/pg_restore connect with: the password goes in PGPASSWORD, never
    on a command line that `ps` shows."""
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": db.get("OPTIONS", {}).get("sslmode"),
    }
    return os.environ | {key: str(value) for key, value in values.items() if value}


def connect(db: dict) -> psycopg.Connection:
    env = libpq_env(db)
    # The same connection as pg_dump/pg_restore get from libpq_env (sslmode included).
    keys = {
        "PGHOST": "host",
        "PGPORT": "port",
        "PGUSER": "user",
        "PGPASSWORD": "password",
        "PGSSLMODE": "sslmode",
    }
    params = {name: env[key] for key, name in keys.items() if key in env}
    try:
        return psycopg.connect(dbname=db["NAME"], autocommit=True, **params)
    except psycopg.OperationalError as error:
        raise BackupError(str(error).strip()) from None


def _quote_sqlite(name: str) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def _count(execute: Callable[[str], int], tables: list[str]) -> dict[str, int]:
    return {table: execute(table) for table in tables}


def _run(args: list[str], env: dict[str, str], stdin: IO[bytes] | None = None) -> None:
    """Runs a PostgreSQL client program, feeding it `stdin` (a stream from the archive)."""
    with open(os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err)  # noqa: S603
        try:
            if stdin is not None:
                shutil.copyfileobj(stdin, proc.stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it stopped early: its exit status and messages say why
        if proc.wait() != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise BackupError(
                _("%(program)s gagal: %(message)s") % {"program": args[0], "message": message}
            )


# -- backup


def _dump_postgresql(target: Path, tables: list[str]) -> dict[str, int]:
    """pg_dump of an exported snapshot, counted inside that same snapshot."""
    env = libpq_env(connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]

        def count(table: str) -> int:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            return cursor.fetchone()[0]

        counts = _count(count, tables)
        _run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)], env)
    return counts


def _dump_sqlite(target: Path, tables: list[str]) -> dict[str, int]:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
    return _count_sqlite(target, tables)


def _count_sqlite(path: Path, tables: list[str]) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        query = "SELECT COUNT(*) FROM {}"
        return _count(lambda t: db.execute(query.format(_quote_sqlite(t))).fetchone()[0], tables)


def _add_files(tar: tarfile.TarFile, root: Path, work: Path) -> dict[str, str]:
    """The private files, packed into their own compressed tar; answers their checksums."""
    checksums = file_checksums(root) if root.is_dir() else {}
    packed = work / FILES
    # Photos and PDFs hardly compress: the fastest level saves the same.
    with tarfile.open(packed, "w:gz", compresslevel=1) as files:
        for name in checksums:
            files.add(root / name, arcname=name)
    tar.add(packed, arcname=FILES)
    return checksums


def create_backup(output: Path) -> Path:
    """Writes one archive into `output` (readable by its owner only) and answers its path. It
    appears under its final name only once complete."""

    engine = engine_of(connection.settings_dict)
    output.mkdir(parents=True, exist_ok=True)
    archive = output / f"{ARCHIVE_PREFIX}{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    if archive.exists():
        raise BackupError(_("%s sudah ada.") % archive)
    partial = archive.with_name(archive.name + ".partial")
    partial.touch(mode=0o600)
    try:
        with tempfile.TemporaryDirectory(dir=output) as work, tarfile.open(partial, "w") as tar:
            dump = Path(work) / DUMPS[engine]
            dumper = _dump_postgresql if engine == "postgresql" else _dump_sqlite
            counts = dumper(dump, app_tables())
            tar.add(dump, arcname=DUMPS[engine])
            checksums = _add_files(tar, Path(settings.PRIVATE_MEDIA_ROOT), Path(work))
            manifest = {
                "format": 1,
                "created_at": timezone.localtime().isoformat(),
                "app": app_version(),
                "engine": engine,
                "tables": counts,
                "files": checksums,
            }
            (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            tar.add(Path(work) / MANIFEST, arcname=MANIFEST)
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def prune_backups(output: Path, keep: int) -> list[Path]:
    """Deletes all but the `keep` newest archives in `output`; answers what it deleted."""
    archives = sorted(output.glob(f"{ARCHIVE_PREFIX}*.tar"))
    old = archives[: max(len(archives) - keep, 0)]
    for path in old:
        path.unlink()
    return old


# -- restore


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        return json.load(tar.extractfile(MANIFEST))
    except KeyError:
        raise BackupError(_("Bukan arsip cadangan: tidak ada %s.") % MANIFEST) from None


def database_is_empty(db: dict) -> bool:
    if engine_of(db) == "sqlite":
        path = Path(db["NAME"])
        if not path.exists():
            return True
        with closing(sqlite3.connect(path)) as conn:
            return not conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    with connect(db) as conn:
        found = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
    return not found


def _restore_database(tar: tarfile.TarFile, engine: str, db: dict, force: bool) -> None:
    dump = tar.extractfile(DUMPS[engine])
    if engine == "sqlite":
        target = Path(db["NAME"])
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as out:
            shutil.copyfileobj(dump, out)
        partial.replace(target)
        return
    clean = ["--clean", "--if-exists"] if force else []
    args = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction"]
    _run([*args, "--exit-on-error", *clean, "--dbname", db["NAME"]], libpq_env(db), stdin=dump)


def _restore_files(tar: tarfile.TarFile, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=tar.extractfile(FILES), mode="r:gz") as files:
        files.extractall(media_root, filter="data")


def restore_backup(archive: Path, database_url: str, media_root: Path, force: bool = False):
    """Restores an archive into an empty database and an empty folder (or over what is there
    with `force`), then checks what arrived against the manifest."""
    db = dj_database_url.parse(database_url)
    engine = engine_of(db)
    try:
        tar = tarfile.open(archive)  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("Arsip tidak terbaca: %s") % error) from None
    with tar:
        manifest = read_manifest(tar)
        if manifest["engine"] != engine:
            raise BackupError(
                _("Cadangan ini dari %(backup)s, tujuannya %(target)s.")
                % {"backup": manifest["engine"], "target": engine}
            )
        if not force and not database_is_empty(db):
            raise BackupError(_("Basis data %s tidak kosong (--force menimpanya).") % db["NAME"])
        if not force and media_root.is_dir() and any(media_root.iterdir()):
            raise BackupError(_("Folder %s tidak kosong (--force menimpanya).") % media_root)
        _restore_database(tar, engine, db, force)
        _restore_files(tar, media_root)
    return verify(manifest, db, media_root)


def count_rows(db: dict, tables: list[str]) -> dict[str, int | None]:
    """Each table's row count in the database `db`; None for a table that is not there."""
    if engine_of(db) == "sqlite":
        with closing(sqlite3.connect(db["NAME"])) as conn:
            present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        counts = _count_sqlite(Path(db["NAME"]), [t for t in tables if t in present])
    else:
        with connect(db) as conn:
            present = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false))"
                )
            }
            query = sql.SQL("SELECT COUNT(*) FROM {}")
            counts = _count(
                lambda t: conn.execute(query.format(sql.Identifier(t))).fetchone()[0],
                [t for t in tables if t in present],
            )
    return {table: counts.get(table) for table in tables}


def verify(manifest: dict, db: dict, media_root: Path) -> Verification:
    """Compares the restored database's row counts and the restored files' checksums with the
    manifest's."""
    result = Verification()
    for table, count in count_rows(db, list(manifest["tables"])).items():
        expected = manifest["tables"][table]
        result.tables += 1
        result.rows += count or 0
        if count != expected:
            result.problems.append(
                _("tabel %(table)s: %(count)s baris, di cadangan %(expected)s")
                % {"table": table, "count": count, "expected": expected}
            )
    for name, expected in manifest["files"].items():
        path = media_root / name
        result.files += 1
        if not path.is_file():
            result.problems.append(_("berkas %s: tidak ada") % name)
            continue
        with path.open("rb") as f:
            if sha256(f) != expected:
                result.problems.append(_("berkas %s: checksum berbeda") % name)
    return result
