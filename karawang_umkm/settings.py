"""Settings for Karawang UMKM, driven by environment variables.

Development defaults are safe: an SQLite file next to the project and DEBUG off unless asked for.
Production (DEBUG off) refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value!r}")
    return number


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 locally)."
        )
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "import_export",
    "axes",
    "simple_history",
    "django_tasks_db",
    "core",
    "villages",
    "businesses",
    "assistance",
    "cooperatives",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files right after the HTTPS redirect: no session, CSP or database work for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A request id on every log line, one line per request (static files are not logged).
    "core.middleware.RequestLogMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    # Before anything that queries (session, user, login attempts): NUL bytes end here.
    "core.middleware.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees failed logins after every other middleware has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "karawang_umkm.urls"
WSGI_APPLICATION = "karawang_umkm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "villages.context_processors.roles",
                "villages.context_processors.home_regency",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Covering indexes (`include=`) serve the reports on PostgreSQL; SQLite builds them without the
# extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compiles a query's expressions when its estimated cost is high (a search over a big
    # table): 10–15 ms of compiling for queries that run in a few, on every page that does it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the user, their roles and permissions in two queries.
    "villages.auth.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins: per username *and* address, so that one mentor's
# typos do not lock out everyone behind the same mobile-network NAT address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "villages.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind a reverse proxy set to the header it writes, e.g. HTTP_X_FORWARDED_FOR.
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("CLIENT_IP_HEADERS", "REMOTE_ADDR")

# The regency this installation serves; other areas may be loaded for reference.
HOME_REGENCY_CODE = os.environ.get("HOME_REGENCY_CODE", "32.15")
# Pages name the regency from its loaded area record (villages.models.home_regency); these
# override the names derived from it: "Dinas Koperasi dan UKM Kabupaten Karawang", "Karawang UMKM".
OFFICE_NAME = os.environ.get("OFFICE_NAME", "").strip()
SITE_NAME = os.environ.get("SITE_NAME", "").strip()

# Background work (PDF reports): Django's tasks framework with the database backend; a worker
# (`manage.py worker`, db_worker with a heartbeat and periodic tasks, core/schedule.py) runs the
# queued tasks. TASKS_BACKEND=immediate runs them in the request.
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("TASKS_BACKEND", "database")]
    }
}
# /healthz answers 503 when no worker has beaten for this many seconds; 0 checks no worker
# (the default without one, TASKS_BACKEND=immediate).
HEALTH_WORKER_MAX_AGE = env_int(
    "HEALTH_WORKER_MAX_AGE",
    0 if os.environ.get("TASKS_BACKEND") == "immediate" else 300,
    minimum=0,
)
# Documents of cases closed more than this many years ago are deleted by a daily task
# (assistance/retention.py); 0 never deletes.
RETENTION_YEARS = env_int("RETENTION_YEARS", 5, minimum=0)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves the collected files (WhiteNoise) with content-hashed names, cached for ten
# years, and gzip copies made once by collectstatic. Development and tests serve the sources as
# they are, so they need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads are never served straight from disk: every photo and document lives in
# PRIVATE_MEDIA_ROOT and goes through a view that checks who may see it (product photos on the
# public showcase only while the owner's consent stands). Nothing is stored in MEDIA_ROOT.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
# Where `manage.py backup` writes its archives (the database and the private files).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
# Behind nginx: the URL prefix of its `internal` location aliased to PRIVATE_MEDIA_ROOT (e.g.
# "/_private/"). The checking view then answers with an X-Accel-Redirect header and nginx sends
# the bytes; unset, the view streams the file itself.
PRIVATE_MEDIA_ACCEL_REDIRECT = os.environ.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "").strip()
if PRIVATE_MEDIA_ACCEL_REDIRECT and not (
    PRIVATE_MEDIA_ACCEL_REDIRECT.startswith("/") and PRIVATE_MEDIA_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_ACCEL_REDIRECT must start and end with '/', "
        f"got {PRIVATE_MEDIA_ACCEL_REDIRECT!r}"
    )
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024

# Security: strict by default, relaxed only where plain-HTTP local development needs it.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
# A load balancer probes the app server over plain HTTP; the answer holds nothing private.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    # The installable app (core/offline.py): its service worker and manifest, from this site.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
}

# One JSON object per line on stderr (core/logging.py), each with its request's id; every line
# passes the filter that takes NIKs, phone numbers and password/session values out.
# LOG_FORMAT=text writes readable lines instead (`make run` does).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "core.logging.RequestContextFilter"},
        "scrub": {"()": "core.logging.ScrubFilter"},
    },
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"()": "core.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request", "scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Through the one handler above only: Django's own console and mail_admins handlers
        # would print a second, unfiltered copy (and mail a request's POST data).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's access line repeats karawang.request's, with the query string.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        # django-axes logs every login at INFO; failures and lockouts are WARNING.
        # WeasyPrint reports each layout step at INFO.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
