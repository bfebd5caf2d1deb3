"""Every error page (400, 403, 404, 429, CSRF failure, 500) is the site's layout in Indonesian
with a way home, also in production mode; the 500 page renders without the database."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, include, path, reverse

from karawang_umkm import urls as site_urls

from .base import PASSWORD, PersonaTestCase
from .test_businesses import make_business


@login_not_required
def _broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# This module doubles as the URL configuration of the 500 tests: the site plus a broken view.
urlpatterns = [
    path("rusak/", _broken_view),
    path("", include("karawang_umkm.urls")),
]
handler500 = site_urls.handler500


class LayoutAssertions:
    def assert_error_page(self, response: HttpResponse, status: int, heading: str) -> None:
        self.assertEqual(response.status_code, status)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        html = response.content.decode()
        # The site's layout: phone viewport, stylesheet, header, main landmark, footer.
        self.assertIn('<meta name="viewport" content="width=device-width, initial-scale=1">', html)
        self.assertIn("css/app.css", html)
        self.assertIn('<header class="topbar">', html)
        self.assertRegex(html, r'class="brand" href="/">[^<\s]')  # the site's name, never blank
        self.assertIn('<main id="main">', html)
        self.assertIn('<footer class="footer">', html)
        self.assertIn('<html lang="id">', html)
        # Indonesian, with a way back home.
        self.assertIn(heading, html)
        self.assertIn(f'href="{reverse("home")}"', html)
        self.assertIn("Kembali ke beranda", html)
        self.assertNotIn("Forbidden", html)
        self.assertNotIn("Not Found", html)


@override_settings(DEBUG=False)
class ErrorPageTests(LayoutAssertions, PersonaTestCase):
    def test_read_only_user_gets_the_designed_403(self):
        self.client.force_login(self.camat)
        response = self.client.post(reverse("villages:flag", args=[self.duren.code]), {})
        self.assert_error_page(response, 403, "Akses ditolak")
        # Signed in: the page keeps the navigation, so the camat can go on.
        self.assertContains(response, "Navigasi utama", status_code=403)

    def test_read_only_user_gets_403_on_a_business_edit_too(self):
        business = make_business(self.duren)
        self.client.force_login(self.leader)
        response = self.client.get(reverse("businesses:edit", args=[business.pk]))
        self.assert_error_page(response, 403, "Akses ditolak")

    def test_htmx_request_still_gets_the_403_status_for_the_client_message(self):
        self.client.force_login(self.camat)
        response = self.client.post(
            reverse("villages:flag", args=[self.duren.code]), {}, headers={"HX-Request": "true"}
        )
        # static/js/app.js shows its own message on 403/404 (data-msg-denied); nothing is swapped.
        self.assertEqual(response.status_code, 403)

    def test_outsider_gets_the_designed_404(self):
        self.client.force_login(self.other_mentor.user)
        response = self.client.get(reverse("villages:detail", args=[self.duren.code]))
        self.assert_error_page(response, 404, "Halaman tidak ditemukan")

    def test_unknown_address_gets_the_designed_404(self):
        self.client.force_login(self.staff)
        response = self.client.get("/tidak-ada/")
        self.assert_error_page(response, 404, "Halaman tidak ditemukan")

    def test_nul_in_the_path_is_a_designed_404(self):
        self.client.force_login(self.staff)
        response = self.client.get("/desa/%00/")
        self.assert_error_page(response, 404, "Halaman tidak ditemukan")

    def test_nul_in_the_query_string_is_a_designed_400(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("businesses:list"), {"q": "kopi\x00"})
        self.assert_error_page(response, 400, "Permintaan tidak valid")

    def test_nul_in_a_form_value_is_a_designed_400_and_saves_nothing(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("villages:flag", args=[self.duren.code]), {"extreme_poverty_year": "2\x000"}
        )
        self.assert_error_page(response, 400, "Permintaan tidak valid")
        self.duren.refresh_from_db()
        self.assertIsNone(self.duren.extreme_poverty_year)

    def test_stale_form_gets_the_designed_csrf_page_and_a_fresh_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.staff)
        response = client.post(reverse("villages:flag", args=[self.duren.code]), {})
        self.assert_error_page(response, 403, "Halaman sudah kedaluwarsa")
        self.assertContains(response, "muat ulang", status_code=403)
        # A new CSRF cookie goes out with the page, so reloading the form and sending it works.
        self.assertIn(settings.CSRF_COOKIE_NAME, response.cookies)

    def test_csrf_failure_on_the_login_page_uses_the_layout(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("login"), {"username": "mentor", "password": PASSWORD})
        self.assert_error_page(response, 403, "Halaman sudah kedaluwarsa")
        self.assertNotIn("_auth_user_id", client.session)

    def test_lockout_page_uses_the_layout(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(reverse("login"), {"username": "mentor", "password": "salah"})
        response = self.client.post(reverse("login"), {"username": "mentor", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        html = response.content.decode()
        self.assertIn('<meta name="viewport" content="width=device-width, initial-scale=1">', html)
        self.assertIn('<header class="topbar">', html)
        self.assertIn('<footer class="footer">', html)
        self.assertIn("Terlalu banyak percobaan gagal", html)
        self.assertIn(f'href="{reverse("login")}"', html)


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
class ServerErrorPageTests(LayoutAssertions, SimpleTestCase):
    """SimpleTestCase refuses every database query: the 500 page must render anyway (the
    database may be what failed)."""

    def test_a_crash_shows_the_designed_500_page_without_the_database(self):
        client = Client(raise_request_exception=False)
        response = client.get("/rusak/")
        self.assert_error_page(response, 500, "Terjadi kesalahan di server")
        self.assertNotContains(response, "a bug", status_code=500)

    def test_the_500_handler_itself_renders_without_a_query(self):
        handler = get_resolver().resolve_error_handler(500)
        request = RequestFactory().get("/apa-saja/")
        response = handler(request)
        self.assert_error_page(response, 500, "Terjadi kesalahan di server")


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
class ServerErrorForSignedInUserTests(LayoutAssertions, PersonaTestCase):
    def test_signed_in_user_crash_page_runs_no_query_of_its_own(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.staff)
        handler = get_resolver().resolve_error_handler(500)
        request = RequestFactory().get("/rusak/")
        request.user = self.staff
        with CaptureQueriesContext(connection) as queries:
            response = handler(request)
        self.assertEqual(len(queries), 0)
        self.assert_error_page(response, 500, "Terjadi kesalahan di server")
        # Through the whole stack too (the session and user load before the view runs).
        self.assert_error_page(client.get("/rusak/"), 500, "Terjadi kesalahan di server")
