"""Sign-in, lockout, landing pages and production settings."""

import os
import subprocess
import sys
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import Permission
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone

from villages import roles
from villages.auth import UserBackend

from .base import PASSWORD, PersonaTestCase, User, make_user


class LoginTests(PersonaTestCase):
    def login(self, username: str, password: str = PASSWORD, ip: str = "10.1.2.3"):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def test_login_page_is_public_and_in_indonesian(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "Masuk")
        self.assertContains(response, "Nama pengguna")
        self.assertEqual(response["Content-Language"], "id")

    def test_wrong_password_shows_an_indonesian_error(self):
        response = self.login("mentor", "salah")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "nama pengguna dan sandi yang benar")

    def test_each_role_lands_on_its_own_page(self):
        landings = {
            "mentor": "Desa saya",
            "camat": "Kecamatan Klari",
            "dinkop": "Ringkasan Kabupaten Karawang",
            "pimpinan": "Ringkasan Kabupaten Karawang",
            "outsider": "Akun belum punya peran",
        }
        for username, heading in landings.items():
            with self.subTest(username):
                self.client.logout()
                response = self.login(username)
                self.assertRedirects(response, reverse("home"))
                self.assertContains(self.client.get(reverse("home")), heading)

    def test_logout_needs_post_and_ends_the_session(self):
        self.client.force_login(self.staff)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)

    def test_password_change(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Sawah-Hijau-2026",
                "new_password2": "Sawah-Hijau-2026",
            },
        )
        self.assertRedirects(response, reverse("password_change_done"))
        self.staff.refresh_from_db()
        self.assertTrue(self.staff.check_password("Sawah-Hijau-2026"))

    def test_repeated_failures_lock_out_that_username_from_that_address(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.login("mentor", "salah")
        locked = self.login("mentor")  # even the right password is refused now
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Terlalu banyak percobaan gagal", status_code=429)
        self.assertContains(locked, "15 menit", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_lockout_spares_other_users_behind_the_same_address(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.login("mentor", "salah")
        # A whole mobile network shares one address: another mentor still gets in.
        self.assertRedirects(self.login("other_mentor"), reverse("home"))
        self.client.logout()
        # And the locked username still works from another address.
        self.assertRedirects(self.login("mentor", ip="10.9.9.9"), reverse("home"))

    def test_lockout_expires_after_the_cool_off(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            self.login("mentor", "salah")
        self.assertEqual(self.login("mentor").status_code, 429)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
        )
        self.assertRedirects(self.login("mentor"), reverse("home"))

    def test_fewer_failures_than_the_limit_do_not_lock(self):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            self.login("mentor", "salah")
        self.assertRedirects(self.login("mentor"), reverse("home"))


class UserBackendTests(PersonaTestCase):
    """villages.auth.UserBackend reads what Django's ModelBackend reads, in fewer queries."""

    def test_permissions_are_those_of_django_model_backend(self):
        direct = Permission.objects.get(codename="add_casedocument")
        self.outsider.user_permissions.add(direct)
        superuser = make_user("root", is_superuser=True)
        inactive = make_user("gone", roles.DINKOP, is_active=False)
        for user in (
            self.staff,
            self.leader,
            self.mentor.user,
            self.camat,
            self.outsider,
            superuser,
            inactive,
        ):
            with self.subTest(user=user.username):
                fresh = User.objects.get(pk=user.pk)
                expected = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
                self.assertEqual(UserBackend().get_all_permissions(fresh), expected)
        self.assertIn(
            "assistance.add_casedocument",
            UserBackend().get_all_permissions(User.objects.get(pk=self.outsider.pk)),
        )
        self.assertFalse(UserBackend().get_all_permissions(User.objects.get(pk=inactive.pk)))

    def test_a_request_reads_user_roles_and_permissions_in_three_queries(self):
        """Session, user with mentor and viewer rows, permissions: nothing more to know the
        role of any user (Django's backend took five)."""
        for user, role in ((self.mentor.user, "mentor"), (self.camat, "kecamatan_viewer")):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                request = RequestFactory().get("/")
                request.COOKIES[settings.SESSION_COOKIE_NAME] = self.client.session.session_key
                SessionMiddleware(lambda r: None).process_request(request)
                AuthenticationMiddleware(lambda r: None).process_request(request)
                with self.assertNumQueries(3):
                    self.assertEqual(request.user.pk, user.pk)
                    self.assertFalse(request.user.has_perm("villages.view_all_areas"))
                    self.assertTrue(request.user.has_perm("villages.view_village"))
                    self.assertIsNotNone(getattr(request.user, role))
                    other = "kecamatan_viewer" if role == "mentor" else "mentor"
                    self.assertIsNone(getattr(request.user, other, None))


class LanguageTests(TestCase):
    def test_english_is_available_from_the_switch(self):
        user = make_user("staff_en")
        self.client.force_login(user)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("home"))["Content-Language"], "en")

    def test_language_switch_works_before_login(self):
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": "/akun/masuk/"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("login"))["Content-Language"], "en")


class SecurityHeaderTests(TestCase):
    def test_pages_carry_a_nonce_based_content_security_policy(self):
        response = self.client.get(reverse("login"))
        policy = response["Content-Security-Policy"]
        self.assertIn("script-src 'self' 'nonce-", policy)
        nonce = policy.split("'nonce-")[1].split("'")[0]
        self.assertContains(response, f'nonce="{nonce}"')
        self.assertEqual(response["X-Frame-Options"], "DENY")


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean | {"DATABASE_URL": "sqlite:///:memory:"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class ProductionSettingsTests(TestCase):
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "Zq7-pL9_xR2vT5nW8yB1cF4hJ6mQ0sD3gK",
        "ALLOWED_HOSTS": "umkm.karawangkab.go.id",
    }

    def test_check_deploy_is_clean_under_production_variables(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", **self.production)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_production_refuses_to_start_without_a_secret_key(self):
        result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="umkm.karawangkab.go.id")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_production_refuses_to_start_without_allowed_hosts(self):
        result = run_manage("check", DEBUG="0", SECRET_KEY=self.production["SECRET_KEY"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ALLOWED_HOSTS must be set", result.stderr)

    def test_the_wsgi_entry_point_refuses_to_start_without_production_settings(self):
        clean = {
            k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
        }
        result = subprocess.run(
            [sys.executable, "-c", "import karawang_umkm.wsgi"],
            cwd=settings.BASE_DIR,
            env=clean,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)

    def test_a_bad_boolean_fails_loudly(self):
        result = run_manage("check", DEBUG="maybe")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DEBUG must be a boolean", result.stderr)


class AnonymousAccessTests(TestCase):
    def test_admin_requires_login(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)


class DefaultLanguageTests(TestCase):
    def test_indonesian_even_when_the_browser_prefers_english(self):
        response = self.client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
        self.assertEqual(response["Content-Language"], "id")
        self.assertContains(response, '<option value="id" selected>')


class MigrationTests(TestCase):
    def test_migrations_do_not_depend_on_where_the_project_is_checked_out(self):
        for path in settings.BASE_DIR.glob("*/migrations/*.py"):
            with self.subTest(path.name):
                self.assertNotIn(str(settings.BASE_DIR), path.read_text(encoding="utf-8"))
