"""Log lines are JSON, carry the request's id and user, and never a NIK, a phone number, a
password or a session key: captured through the configured handler while forms are used."""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

from django.http import HttpRequest
from django.test import Client, SimpleTestCase, override_settings
from django.urls import path, reverse

from businesses.models import Business
from core.logging import JsonFormatter, ScrubFilter, scrub
from karawang_umkm.urls import urlpatterns as project_urlpatterns

from .base import PASSWORD, PersonaTestCase
from .test_businesses import NIK_MAN, form_data, make_business

PHONE = "0812-3456-7890"
WRONG_PASSWORD = "salah-sandi-987"


def failing_view(request: HttpRequest):
    nik = NIK_MAN
    raise RuntimeError("saving the owner failed: " + nik)


# This module is the URLconf of the tests below: the project's URLs plus a view that fails.
urlpatterns = [path("uji/gagal/", failing_view), *project_urlpatterns]
handler500 = "core.views.server_error"


@contextmanager
def log_lines() -> Iterator[list[str]]:
    """The lines the configured handler writes (its filters, the JSON formatter) meanwhile."""
    handler = logging.getHandlerByName("console")
    formatter = handler.formatter
    stream = handler.setStream(StringIO())
    handler.setFormatter(JsonFormatter())  # also when a developer runs with LOG_FORMAT=text
    lines: list[str] = []
    try:
        yield lines
    finally:
        lines.extend(handler.setStream(stream).getvalue().splitlines())
        handler.setFormatter(formatter)


class ScrubTests(SimpleTestCase):
    def test_niks_phones_and_secret_values_are_taken_out(self):
        text = (
            f"nik {NIK_MAN} or 3215 0512 0385 0001, call {PHONE}, +62 812 3456 7890, "
            "6281234567890 or +6281234567890; password=hunter2&sessionid=abc123; "
            "{'new_password1': 'rahasia', 'csrftoken': 'tok'}"
        )
        cleaned = scrub(text)
        for secret in (NIK_MAN, "0385 0001", "3456", "hunter2", "abc123", "rahasia", "tok'"):
            with self.subTest(secret):
                self.assertNotIn(secret, cleaned)
        self.assertIn("password=[redacted]", cleaned)

    def test_ordinary_numbers_stay(self):
        text = "GET /usaha/12/ 200 in 35.2 ms, 1500000 rupiah, 2026-03-01, request 42"
        self.assertEqual(scrub(text), text)

    def test_the_filter_cleans_the_message_its_arguments_extras_and_exception(self):
        try:
            raise ValueError(f"bad {NIK_MAN}")
        except ValueError:
            record = logging.LogRecord("x", logging.ERROR, "f.py", 1, "owner %s", (PHONE,), None)
            record.exc_info = sys.exc_info()
        record.phone = PHONE
        record.count = 3
        ScrubFilter().filter(record)
        line = JsonFormatter().format(record)
        entry = json.loads(line)
        self.assertEqual(entry["message"], "owner [redacted]")
        self.assertEqual(entry["phone"], "[redacted]")
        self.assertEqual(entry["count"], 3)
        self.assertIn("ValueError: bad [redacted]", entry["exception"])
        self.assertNotIn(NIK_MAN, line)


@override_settings(ROOT_URLCONF=__name__)
class RequestLogTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client = Client(raise_request_exception=False)

    def entries(self, lines: list[str]) -> list[dict]:
        return [json.loads(line) for line in lines]  # every line must be one JSON object

    def request_lines(self, lines: list[str]) -> list[dict]:
        return [e for e in self.entries(lines) if e["logger"] == "karawang.request"]

    def exercise_the_forms(self) -> dict[str, str]:
        """Signs in (wrongly, then rightly), saves and edits a business with a NIK and a phone,
        fails a form with the NIK, asks for missing and failing pages and an htmx fragment.
        Answers the secrets that went through, by name."""
        login = reverse("login")
        self.client.post(login, {"username": "dinkop", "password": WRONG_PASSWORD})
        self.assertEqual(
            self.client.post(login, {"username": "dinkop", "password": PASSWORD}).status_code, 302
        )
        create = reverse("businesses:create")
        self.assertEqual(self.client.post(create, form_data(self.duren)).status_code, 302)
        business = Business.objects.get(owner_nik=NIK_MAN)
        edit = reverse("businesses:edit", args=[business.pk])
        data = form_data(self.duren, name="Opak Baru", version=business.version)
        self.assertEqual(self.client.post(edit, data).status_code, 302)
        bad = form_data(self.duren, name="Lain", kbli="107")  # the NIK comes back in the form
        self.assertEqual(self.client.post(create, bad).status_code, 400)
        self.assertEqual(self.client.get(f"/usaha/{NIK_MAN}/").status_code, 404)
        self.assertEqual(self.client.get("/uji/gagal/").status_code, 500)
        htmx = self.client.get(
            reverse("businesses:list"), {"q": NIK_MAN}, headers={"HX-Request": "true"}
        )
        self.assertEqual(htmx.status_code, 200)
        return {
            "nik": NIK_MAN,
            "phone digits": "81234567890",
            "phone": PHONE,
            "password": PASSWORD,
            "wrong password": WRONG_PASSWORD,
            "session": self.client.cookies["sessionid"].value,
            "csrf": self.client.cookies["csrftoken"].value,
        }

    def test_no_line_holds_a_nik_phone_password_or_session(self):
        with log_lines() as lines:
            secrets = self.exercise_the_forms()
        self.assertEqual(len(self.request_lines(lines)), 8)
        for line in lines:
            for name, secret in secrets.items():
                with self.subTest(name, line=line):
                    self.assertNotIn(secret, line)

    def test_every_request_has_one_line_with_its_id_path_status_and_user(self):
        with log_lines() as lines:
            self.exercise_the_forms()
        requests = self.request_lines(lines)
        statuses = [(e["method"], e["path"], e["status"]) for e in requests]
        self.assertIn(("GET", "/uji/gagal/", 500), statuses)
        self.assertIn(("GET", "/usaha/", 200), statuses)  # the htmx one, query string left out
        for entry in requests:
            self.assertRegex(entry["request_id"], r"^[0-9a-f]{32}$")
            self.assertIsInstance(entry["duration_ms"], float)
            self.assertRegex(entry["time"], r"T\d\d:\d\d:\d\d\.\d{3}\+07:00$")
        self.assertIsNone(requests[0]["user_id"])  # the failed login
        self.assertEqual(requests[-1]["user_id"], self.staff.pk)
        self.assertEqual(len({e["request_id"] for e in requests}), len(requests))

    def test_an_error_line_carries_its_request_id_and_the_exception_as_one_string(self):
        self.client.force_login(self.staff)
        with log_lines() as lines:
            response = self.client.get("/uji/gagal/")
        error, request = self.entries(lines)
        self.assertEqual((error["logger"], error["level"]), ("django.request", "ERROR"))
        self.assertIn("RuntimeError: saving the owner failed: [redacted]", error["exception"])
        self.assertEqual(error["request_id"], request["request_id"])
        self.assertEqual(response.headers["X-Request-ID"], request["request_id"])
        self.assertEqual(error["user_id"], self.staff.pk)

    def test_a_plain_request_id_from_the_proxy_is_kept_and_others_replaced(self):
        url = reverse("login")
        offered = {"abc-123.DEF_456": "abc-123.DEF_456", "a b\nc": None, NIK_MAN: None}
        for value, kept in offered.items():
            with self.subTest(value):
                response = self.client.get(url, headers={"X-Request-ID": value})
                answered = response.headers["X-Request-ID"]
                self.assertEqual(answered, kept or answered)
                if kept is None:
                    self.assertRegex(answered, r"^[0-9a-f]{32}$")

    def test_a_line_written_outside_a_request_has_no_request_id(self):
        with log_lines() as lines:
            logging.getLogger("karawang.test").warning("seeding %s", make_business(self.duren))
        (entry,) = self.entries(lines)
        self.assertIsNone(entry["request_id"])
        self.assertEqual(entry["message"], "seeding Keripik Bu Iis")
