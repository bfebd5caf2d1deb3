"""The production start: deploy/ settings, compressed static files, private files via nginx."""

import gzip
import re
import secrets
import shutil
import tempfile
from io import BytesIO
from pathlib import Path

import django_htmx
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.http import FileResponse
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from PIL import Image

from assistance.models import CaseDocument
from businesses.models import Product
from core.files import private_file_response, private_storage

from .base import PersonaTestCase
from .test_assistance import PDF, make_case, upload
from .test_auth import run_manage
from .test_businesses import make_business

DEPLOY = settings.BASE_DIR / "deploy"
TEN_YEARS = "max-age=315360000, public, immutable"
COMPRESSED_MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def example_environment() -> dict[str, str]:
    """deploy/env.example as the services read it: uncommented NAME=value lines."""
    lines = (DEPLOY / "env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if re.match(r"[A-Z_]+=", line))
    return {name: value.strip('"') for name, value in pairs}


class DeployEnvironmentTests(SimpleTestCase):
    def test_the_example_environment_lists_every_variable_the_settings_read(self):
        source = (settings.BASE_DIR / "karawang_umkm" / "settings.py").read_text()
        reads = r'(?:env_bool|env_list|env_int|environ\.get)\(\s*"([A-Z_]+)"'
        read = set(re.findall(reads, source))
        listed = set(re.findall(r"^#?([A-Z_]+)=", (DEPLOY / "env.example").read_text(), re.M))
        self.assertIn("PRIVATE_MEDIA_ACCEL_REDIRECT", read)
        self.assertEqual(read - listed, set())

    def test_check_deploy_is_clean_under_the_example_environment(self):
        # tests/test_auth.py checks the three required variables; this checks what an operator
        # copies, TLS proxy and X-Accel-Redirect included.
        env = example_environment() | {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": "sqlite:///:memory:",
        }
        self.assertEqual(env["DEBUG"], "0")
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_an_accel_redirect_prefix_without_slashes_fails_loudly(self):
        result = run_manage("check", DEBUG="1", PRIVATE_MEDIA_ACCEL_REDIRECT="_private")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("PRIVATE_MEDIA_ACCEL_REDIRECT must start and end with '/'", result.stderr)


class CompressedStaticFilesTests(TestCase):
    """collectstatic with production's storage, then files served through the middleware."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        root = Path(tempfile.mkdtemp(prefix="karawang-static-"))
        cls.addClassCleanup(shutil.rmtree, root, ignore_errors=True)
        production = override_settings(
            STATIC_ROOT=root,
            STORAGES=settings.STORAGES | {"staticfiles": COMPRESSED_MANIFEST},
            # The project's files and the vendored htmx: what every page loads (the admin's
            # hundred files would only make the test slower).
            STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
            STATICFILES_DIRS=[
                settings.BASE_DIR / "static",
                Path(django_htmx.__file__).parent / "static",
            ],
        )
        production.enable()
        cls.addClassCleanup(production.disable)
        call_command("collectstatic", interactive=False, verbosity=0)

    def static_urls_of_the_login_page(self) -> list[str]:
        page = self.client.get(reverse("login")).content.decode()
        return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)

    def test_pages_link_hashed_names_including_the_vendored_htmx(self):
        urls = self.static_urls_of_the_login_page()
        self.assertTrue(any(re.search(r"/htmx-2\.min\.[0-9a-f]{12}\.js$", url) for url in urls))
        self.assertTrue(any(re.search(r"/css/app\.[0-9a-f]{12}\.css$", url) for url in urls))

    def test_hashed_files_come_gzipped_with_a_ten_year_cache(self):
        for url in self.static_urls_of_the_login_page():
            with self.subTest(url):
                response = self.client.get(url, headers={"accept-encoding": "gzip"})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Encoding"], "gzip")
                self.assertEqual(response["Cache-Control"], TEN_YEARS)
                body = gzip.decompress(b"".join(response.streaming_content))
                self.assertEqual(body, Path(settings.STATIC_ROOT, url[8:]).read_bytes())

    def test_unhashed_names_are_cached_briefly(self):
        response = self.client.get("/static/css/app.css", headers={"accept-encoding": "gzip"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("immutable", response["Cache-Control"])


class PrivateFileResponseTests(SimpleTestCase):
    """One helper answers for every private file, streaming it or handing it to nginx."""

    def setUp(self) -> None:
        self.name = private_storage.save("laporan/uji coba.pdf", ContentFile(PDF))
        self.addCleanup(private_storage.delete, self.name)

    def answer(self):
        return private_file_response(
            self.name,
            content_type="application/pdf",
            cache_control="private, no-store",
            as_attachment=True,
            filename="laporan-2026.pdf",
        )

    def test_without_the_setting_django_streams_the_file(self):
        response = self.answer()
        self.assertIsInstance(response, FileResponse)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertNotIn("X-Accel-Redirect", response)

    @override_settings(PRIVATE_MEDIA_ACCEL_REDIRECT="/_private/")
    def test_with_the_setting_nginx_sends_it_with_the_same_headers(self):
        accelerated = self.answer()
        with override_settings(PRIVATE_MEDIA_ACCEL_REDIRECT=""):
            streamed = self.answer()
        self.assertEqual(accelerated.content, b"")
        self.assertEqual(accelerated["X-Accel-Redirect"], "/_private/laporan/uji%20coba.pdf")
        for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
            self.assertEqual(accelerated[header], streamed[header], header)
        self.assertIn('attachment; filename="laporan-2026.pdf"', accelerated["Content-Disposition"])


@override_settings(PRIVATE_MEDIA_ACCEL_REDIRECT="/_private/")
class AccelRedirectViewTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.client.force_login(self.mentor.user)

    def test_documents_go_through_nginx_only_after_the_area_check(self):
        case = make_case(self.business, mentor=self.mentor)
        self.client.post(
            reverse("assistance:upload", args=[case.pk]),
            {"file": upload("sertifikat.pdf", PDF), "kind": "sertifikat"},
        )
        document = CaseDocument.objects.get()
        self.addCleanup(document.file.delete, save=False)
        url = document.get_absolute_url()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Accel-Redirect"], f"/_private/{document.file.name}")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response.content, b"")
        for user in (self.other_mentor.user, self.outsider):
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("X-Accel-Redirect", response)

    def test_a_thumbnail_is_made_and_its_own_file_handed_to_nginx(self):
        out = BytesIO()
        Image.new("RGB", (800, 600), "orange").save(out, "JPEG")
        product = Product.objects.create(
            business=self.business, name="Opak", photo=ContentFile(out.getvalue(), "opak.jpg")
        )
        self.addCleanup(product.photo.delete, save=False)
        url = reverse("businesses:product_photo", args=[product.pk])
        response = self.client.get(url + "?ukuran=kecil")
        name = response["X-Accel-Redirect"].removeprefix("/_private/")
        self.addCleanup(private_storage.delete, name)
        self.assertEqual(name, product.photo.name.replace(".jpg", ".320.jpg"))
        with private_storage.open(name) as thumbnail, Image.open(thumbnail) as image:
            self.assertEqual(image.size, (320, 240))
        self.client.force_login(self.other_mentor.user)
        self.assertEqual(self.client.get(url + "?ukuran=kecil").status_code, 404)
