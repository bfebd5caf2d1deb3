"""Backups restore: a populated database and its private files, backed up, restored into a fresh
database and folder, hold the same rows and bytes; a tampered archive fails the restore."""

import importlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from io import BytesIO, StringIO
from pathlib import Path
from unittest import skipUnless
from urllib.parse import quote

import dj_database_url
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from assistance.models import CaseDocument
from core.backup import FILES, MANIFEST, connect, count_rows, sha256
from villages.models import District, Province, Regency, Village

from .base import make_mentor
from .test_assistance import PDF, make_case, upload
from .test_businesses import make_business

POSTGRES = connection.vendor == "postgresql"


def _replaced(source: tarfile.TarFile, changes: dict[str, bytes]) -> bytes:
    """A copy of the tar `source` with the named members' contents replaced."""
    out = BytesIO()
    mode = "w:gz" if changes.pop(".gz", None) is not None else "w"
    with tarfile.open(fileobj=out, mode=mode) as copy:
        for member in source.getmembers():
            data = changes.get(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, BytesIO(data))
    return out.getvalue()


@skipUnless(not POSTGRES or shutil.which("pg_restore"), "needs pg_dump and pg_restore")
class BackupRestoreTests(TransactionTestCase):
    def setUp(self) -> None:
        # A transactional test case empties the tables between tests, migration-seeded rows too.
        importlib.import_module("assistance.migrations.0003_services_and_steps").seed(
            django_apps, None
        )
        self.tmp = Path(tempfile.mkdtemp(prefix="karawang-backup-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        media = override_settings(PRIVATE_MEDIA_ROOT=self.tmp / "private")
        media.enable()
        self.addCleanup(media.disable)
        self.populate()

    def populate(self) -> None:
        province = Province.objects.create(code="32", name="JAWA BARAT")
        regency = Regency.objects.create(code="32.15", province=province, name="KAB. KARAWANG")
        klari = District.objects.create(code="32.15.05", regency=regency, name="Klari")
        duren = Village.objects.create(code="32.15.05.2001", district=klari, name="Duren")
        mentor = make_mentor("rizki", duren)
        for i in range(3):
            case = make_case(make_business(duren, name=f"Usaha {i}"), mentor=mentor)
        self.client.force_login(mentor.user)
        url = reverse("assistance:upload", args=[case.pk])
        self.client.post(url, {"file": upload("sertifikat.pdf", PDF), "kind": "sertifikat"})
        self.document = CaseDocument.objects.get().file.name

    def fresh_database(self) -> str:
        """The URL of a new empty database, dropped after the test."""
        if not POSTGRES:
            return f"sqlite:///{self.tmp / 'restored.sqlite3'}"
        db = connection.settings_dict
        name = f"{db['NAME']}_restore"
        with connect(db | {"NAME": "postgres"}) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        self.addCleanup(self.drop_database, name)
        user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"

    def drop_database(self, name: str) -> None:
        with connect(connection.settings_dict | {"NAME": "postgres"}) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def backup(self) -> Path:
        call_command("backup", "--output", str(self.tmp / "backups"), stdout=StringIO())
        (archive,) = (self.tmp / "backups").glob("karawang-umkm-*.tar")
        return archive

    def restore(self, archive: Path, url: str, out: StringIO | None = None) -> StringIO:
        out = out or StringIO()
        media = str(self.tmp / "restored-media")
        call_command(
            "restore", str(archive), "--database-url", url, "--media-root", media,
            stdout=out, stderr=out,
        )  # fmt: skip
        return out

    def test_a_restore_holds_every_row_and_file_of_the_backup(self):
        archive = self.backup()
        url = self.fresh_database()
        self.assertIn("cocok", self.restore(archive, url).getvalue())

        tables = connection.introspection.table_names(include_views=False)
        with connection.cursor() as cursor:
            source = {}
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                source[table] = cursor.fetchone()[0]
        self.assertEqual(count_rows(dj_database_url.parse(url), tables), source)
        self.assertEqual(source["businesses_business"], 3)
        original, restored = (self.tmp / d / self.document for d in ("private", "restored-media"))
        with original.open("rb") as a, restored.open("rb") as b:
            self.assertEqual(sha256(b), sha256(a))

    def test_a_tampered_file_or_a_missing_row_fails_the_restore(self):
        archive = self.backup()
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile(MANIFEST))
            manifest["tables"]["businesses_business"] += 1
            with tarfile.open(fileobj=tar.extractfile(FILES), mode="r:gz") as files:
                media = _replaced(files, {self.document: b"%PDF-1.4 changed", ".gz": b""})
            changed = {MANIFEST: json.dumps(manifest).encode(), FILES: media}
            tampered = self.tmp / "tampered.tar"
            tampered.write_bytes(_replaced(tar, changed))

        out = StringIO()
        with self.assertRaisesMessage(CommandError, "2 masalah"):
            self.restore(tampered, self.fresh_database(), out)
        self.assertIn("businesses_business: 3 baris, di cadangan 4", out.getvalue())
        self.assertIn(f"berkas {self.document}: checksum berbeda", out.getvalue())

    def test_restore_refuses_a_database_that_is_not_empty(self):
        archive = self.backup()
        url = self.fresh_database()
        target = dj_database_url.parse(url)
        if POSTGRES:
            with connect(target) as db:
                db.execute("CREATE TABLE kept (id integer)")
        else:
            with closing(sqlite3.connect(target["NAME"])) as db:
                db.execute("CREATE TABLE kept (id integer)")
        with self.assertRaisesMessage(CommandError, "tidak kosong (--force"):
            self.restore(archive, url)
        self.assertEqual(count_rows(target, ["kept", "businesses_business"]),
                         {"kept": 0, "businesses_business": None})  # fmt: skip
        self.assertFalse((self.tmp / "restored-media").exists())
