"""Every upload field goes through one mechanism (core/uploads.py): hostile files end in a field
error or a clean re-encode, never a 500 and never stored as sent."""

import shutil
import struct
import tempfile
import zlib
from functools import cache
from io import BytesIO
from pathlib import Path

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse
from PIL import Image

from assistance.models import CaseDocument, VisitPhoto
from businesses.models import Potential, Product
from cooperatives.models import ActivityDocument
from core.uploads import (
    IMAGE_MAX_PIXELS,
    DocumentField,
    DocumentFormField,
    PhotoField,
    PhotoFormField,
    SheetField,
    SheetFormField,
    clean_document,
    clean_photo,
)

from .base import PersonaTestCase, make_user
from .test_assistance import make_case
from .test_businesses import make_business
from .test_cooperatives import make_activity

PLANTED = b"<?php system($_GET['c']); ?><script>alert(1)</script>"
PROJECT_APPS = {"core", "villages", "businesses", "assistance", "cooperatives"}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def bomb_png(side: int = 30_000) -> bytes:
    """A real 1-bit PNG of side × side pixels, all black: about 100 KB that decode to 900 MB."""
    row = b"\x00" * (1 + side // 8)
    packer = zlib.compressobj(9)
    block = row * 1000
    idat = b"".join(packer.compress(block) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def planted_jpeg() -> bytes:
    """A JPEG whose comment segment, EXIF description and pixels' neighbours carry a payload."""
    image = Image.new("RGB", (64, 48), "#0b6e4f")
    exif = Image.Exif()
    exif[0x010E] = PLANTED.decode()  # ImageDescription
    out = BytesIO()
    image.save(out, "JPEG", comment=PLANTED, exif=exif.tobytes())
    return out.getvalue()


def hostile_files() -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, bytes, claimed content type)"""
    return {
        "bomb": ("peta.png", bomb_png(), "image/png"),
        "html": ("foto.jpg", b"<html><body><script>alert(1)</script></body></html>", "image/jpeg"),
        "svg": (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<script>alert(2)</script></svg>",
            "image/svg+xml",
        ),
        "planted": ("produk.jpg", planted_jpeg(), "image/jpeg"),
    }


def as_upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class MechanismTests(SimpleTestCase):
    def test_the_bomb_is_a_small_file_claiming_900_megapixels(self):
        self.assertLess(len(bomb_png()), 200_000)
        self.assertEqual(struct.unpack(">II", bomb_png()[16:24]), (30_000, 30_000))

    def test_photo_refuses_a_decompression_bomb_before_decoding_it(self):
        for side in (30_000, 8_000):  # above Pillow's own limit, and below it but above ours
            with self.subTest(side=side):
                self.assertGreater(side * side, IMAGE_MAX_PIXELS)
                with self.assertRaises(ValidationError) as raised:
                    clean_photo(as_upload("x.png", bomb_png(side), "image/png"))
                self.assertIn("megapiksel", raised.exception.messages[0])

    def test_photo_and_document_refuse_html_and_svg_whatever_their_names(self):
        files = hostile_files()
        for kind in ("html", "svg"):
            for clean in (clean_photo, clean_document):
                with (
                    self.subTest(kind=kind, clean=clean.__name__),
                    self.assertRaises(ValidationError),
                ):
                    clean(as_upload(*files[kind]))

    def test_photo_keeps_only_the_pixels(self):
        cleaned = clean_photo(as_upload(*hostile_files()["planted"])).read()
        for needle in (b"<?php", b"<script", b"Exif", b"system("):
            self.assertNotIn(needle, cleaned)
        with Image.open(BytesIO(cleaned)) as image:
            self.assertEqual((image.format, image.size), ("JPEG", (64, 48)))
            self.assertEqual(image.getpixel((10, 10)), image.getpixel((50, 40)))

    def test_photo_applies_the_orientation_before_dropping_it(self):
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise to display
        out = BytesIO()
        Image.new("RGB", (80, 40), "white").save(out, "JPEG", exif=exif.tobytes())
        cleaned = clean_photo(as_upload("x.jpg", out.getvalue(), "image/jpeg"))
        with Image.open(cleaned) as image:
            self.assertEqual(image.size, (40, 80))
            self.assertNotIn("exif", image.info)

    def test_document_images_are_re_encoded_in_their_own_format_and_pdfs_kept(self):
        cleaned, kind = clean_document(as_upload(*hostile_files()["planted"]))
        self.assertEqual(kind, "image/jpeg")
        self.assertNotIn(b"<?php", cleaned.read())
        out = BytesIO()
        Image.new("RGBA", (30, 20), (0, 128, 0, 100)).save(out, "PNG", pnginfo=None)
        cleaned, kind = clean_document(as_upload("scan.png", out.getvalue(), "image/png"))
        with Image.open(cleaned) as image:
            self.assertEqual((kind, image.format, image.mode), ("image/png", "PNG", "RGBA"))
        pdf = b"%PDF-1.4\n%%EOF\n"
        cleaned, kind = clean_document(as_upload("surat.pdf", pdf, "application/pdf"))
        self.assertEqual((kind, cleaned.read()), ("application/pdf", pdf))

    def test_document_refuses_a_decompression_bomb(self):
        with self.assertRaises(ValidationError):
            clean_document(as_upload(*hostile_files()["bomb"]))

    def test_every_file_field_of_every_model_uses_the_mechanism(self):
        fields = [
            field
            for model in apps.get_models()
            if model._meta.app_label in PROJECT_APPS
            for field in model._meta.get_fields()
            if isinstance(field, models.FileField)
        ]
        self.assertGreaterEqual(len(fields), 5)
        for field in fields:
            with self.subTest(field=f"{field.model.__name__}.{field.name}"):
                self.assertIsInstance(field, PhotoField | DocumentField | SheetField)
                expected = {
                    PhotoField: PhotoFormField,
                    DocumentField: DocumentFormField,
                    SheetField: SheetFormField,
                }[type(field)]
                self.assertIsInstance(field.formfield(), expected)

    def test_every_admin_form_with_a_file_uses_the_mechanism(self):
        request = RequestFactory().get("/admin/")
        request.user = type("Superuser", (), {"has_perm": lambda *a: True, "is_active": True})()
        seen = 0
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in PROJECT_APPS:
                continue
            for form_admin in [
                model_admin,
                *(inline(model, admin.site) for inline in model_admin.inlines),
            ]:
                target = form_admin.model
                for field in target._meta.get_fields():
                    if not isinstance(field, models.FileField):
                        continue
                    formfield = form_admin.formfield_for_dbfield(field, request=request)
                    with self.subTest(admin=type(form_admin).__name__, field=field.name):
                        self.assertIsInstance(formfield, PhotoFormField | DocumentFormField)
                        seen += 1
        self.assertGreaterEqual(seen, 1)


class UploadFieldTests(PersonaTestCase):
    """Each upload field of the application, posted each hostile file through its own view."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.media = tempfile.mkdtemp(prefix="karawang-uploads-")
        cls.media_override = override_settings(PRIVATE_MEDIA_ROOT=Path(cls.media))
        cls.media_override.enable()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.case = make_case(self.business, mentor=self.mentor)
        self.activity = make_activity(self.klari)

    def post_visit_photo(self, upload):
        self.client.force_login(self.mentor.user)
        data = {"village": self.duren.pk, "date": "2026-01-05", "activities": "x", "photos": upload}
        response = self.client.post(reverse("assistance:visit_create"), data)
        return response, [p.image for p in VisitPhoto.objects.all()]

    def post_product_photo(self, upload):
        self.client.force_login(self.mentor.user)
        url = reverse("businesses:product_create", args=[self.business.pk])
        response = self.client.post(url, {"name": "Keripik", "photo": upload})
        return response, [p.photo for p in Product.objects.all()]

    def post_potential_photo(self, upload):
        self.client.force_login(self.mentor.user)
        url = reverse("businesses:potential_create", args=[self.duren.code])
        data = {"category": "olahan_pangan", "title": "Opak", "description": "x", "photo": upload}
        response = self.client.post(url, data)
        return response, [p.photo for p in Potential.objects.all()]

    def post_case_document(self, upload):
        self.client.force_login(self.mentor.user)
        url = reverse("assistance:upload", args=[self.case.pk])
        response = self.client.post(url, {"file": upload, "kind": "lainnya"})
        return response, [d.file for d in CaseDocument.objects.all()]

    def post_activity_document(self, upload):
        self.client.force_login(self.staff)
        url = reverse("cooperatives:activity", args=[self.activity.pk])
        response = self.client.post(url, {"file": upload, "title": "Daftar hadir"})
        return response, [d.file for d in ActivityDocument.objects.all()]

    def test_every_upload_field_refuses_or_cleans_every_hostile_file(self):
        posts = [
            self.post_visit_photo,
            self.post_product_photo,
            self.post_potential_photo,
            self.post_case_document,
            self.post_activity_document,
        ]
        for post in posts:
            for kind, (name, content, content_type) in hostile_files().items():
                with self.subTest(field=post.__name__, file=kind):
                    response, stored = post(as_upload(name, content, content_type))
                    self.assertNotEqual(response.status_code, 500)
                    if kind == "planted":
                        self.assertEqual(len(stored), 1)
                        with stored[0].open("rb") as saved:
                            data = saved.read()
                        self.assertNotIn(b"<?php", data)
                        self.assertNotIn(b"<script", data)
                        stored[0].instance.delete()
                    else:
                        self.assertEqual(response.status_code, 400)
                        self.assertEqual(stored, [])
                        self.assertContains(response, 'class="error" role="alert"', status_code=400)


class SheetUploadTests(PersonaTestCase):
    def test_the_import_page_refuses_every_hostile_file_whatever_its_name(self):
        from core.models import ImportJob

        self.client.force_login(self.staff)
        for kind, (name, content, content_type) in hostile_files().items():
            for named in (name, "data.xlsx", "data.csv"):
                with self.subTest(file=kind, name=named):
                    response = self.client.post(
                        reverse("imports:index"),
                        {"kind": "usaha", "file": as_upload(named, content, content_type)},
                    )
                    self.assertEqual(response.status_code, 400)
                    self.assertContains(response, "errors-file", status_code=400)
        self.assertFalse(ImportJob.objects.exists())


@override_settings(PRIVATE_MEDIA_ROOT=Path(tempfile.gettempdir()) / "karawang-thumbnails")
class ThumbnailTests(PersonaTestCase):
    def setUp(self) -> None:
        self.business = make_business(self.duren)
        self.client.force_login(self.mentor.user)
        out = BytesIO()
        Image.effect_noise((2400, 1800), 60).convert("RGB").save(out, "JPEG")
        self.client.post(
            reverse("businesses:product_create", args=[self.business.pk]),
            {"name": "Opak", "photo": as_upload("opak.jpg", out.getvalue(), "image/jpeg")},
        )
        self.product = Product.objects.get()
        self.url = reverse("businesses:product_photo", args=[self.product.pk])

    def tearDown(self) -> None:
        shutil.rmtree(Path(tempfile.gettempdir()) / "karawang-thumbnails", ignore_errors=True)

    def served(self, url: str) -> tuple[tuple[int, int], int]:
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        data = b"".join(response.streaming_content)
        with Image.open(BytesIO(data)) as image:
            return image.size, len(data)

    def test_small_and_medium_sizes_are_served_smaller_than_the_photo(self):
        (full, full_bytes) = self.served(self.url)
        (small, small_bytes) = self.served(self.url + "?ukuran=kecil")
        (medium, _) = self.served(self.url + "?ukuran=sedang")
        self.assertEqual(max(full), 1200)
        self.assertEqual(max(small), 320)
        self.assertEqual(max(medium), 640)
        self.assertLess(small_bytes * 5, full_bytes)
        # made once and kept: a second request reads the stored thumbnail
        self.assertEqual(self.served(self.url + "?ukuran=kecil"), (small, small_bytes))
        # an unknown size is the photo itself
        self.assertEqual(self.served(self.url + "?ukuran=raksasa")[0], full)

    def test_thumbnails_keep_the_area_check(self):
        self.client.force_login(self.other_mentor.user)
        self.assertEqual(self.client.get(self.url + "?ukuran=kecil").status_code, 404)
        self.client.force_login(make_user("tamu"))
        self.assertEqual(self.client.get(self.url + "?ukuran=kecil").status_code, 404)

    def test_pages_ask_for_thumbnails(self):
        page = self.client.get(self.business.get_absolute_url())
        self.assertContains(page, self.url + "?ukuran=kecil")
