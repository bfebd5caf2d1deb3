"""What a mentor's phone downloads, per mentor page: the HTML and the static files it references,
compressed as production sends them (nginx gzips pages at level 5 from 1 KB up, for the types in
deploy/nginx; WhiteNoise gzipped the static files at level 9 in collectstatic).

"First load" is the HTML and every file the page references (stylesheets, scripts, icons, the
manifest and its icons) plus what installing the app fetches once (the service worker and the
offline page); "cached shell" is the HTML alone, the rest being in the browser's or the worker's
cache. Photos and other content images are not counted. htmx fragments are measured alone.

Budgets of issue 12: first load ≤ 60 KB, cached ≤ 15 KB, fragment ≤ 10 KB. Run it on the demo
data (`seed_demo`); the figures are in README, "Page weights (mentor pages)". `--check` fails
when a page is over its budget.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from whitenoise.compress import Compressor

from assistance.models import Case
from businesses.models import Business
from villages.models import Assignment

KB = 1024
FIRST_LOAD_BUDGET = 60 * KB
CACHED_BUDGET = 15 * KB
FRAGMENT_BUDGET = 10 * KB
HOST = "127.0.0.1"
# deploy/nginx/karawang-umkm.conf: gzip_types (text/html always), gzip_min_length, level.
NGINX_GZIP_TYPES = {
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
}
NGINX_GZIP_MIN = 1024
NGINX_GZIP_LEVEL = 5
# Fetched once when the app is installed (URL names; skipped where the site has none).
INSTALL_URLS = ("service_worker", "offline")


def nginx_size(body: bytes, content_type: str) -> int:
    kind = content_type.split(";")[0].strip().lower()
    if kind not in NGINX_GZIP_TYPES or len(body) < NGINX_GZIP_MIN:
        return len(body)
    return len(gzip.compress(body, NGINX_GZIP_LEVEL, mtime=0))


def static_size(name: str, body: bytes) -> int:
    if not Compressor(quiet=True).should_compress(name):
        return len(body)
    return min(len(body), len(gzip.compress(body, 9, mtime=0)))


class _References(HTMLParser):
    """The files a page makes the browser fetch: stylesheets, scripts, icons, the manifest."""

    LINKS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.manifests: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = set((values.get("rel") or "").lower().split())
        if tag == "link" and rel & self.LINKS and values.get("href"):
            self.urls.append(values["href"])
            if "manifest" in rel:
                self.manifests.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "img" and (values.get("src") or "").startswith(_static_prefix()):
            self.urls.append(values["src"])  # content photos are data, not the page's weight


def _static_prefix() -> str:
    return urlsplit(urljoin("/", settings.STATIC_URL)).path


@dataclass
class Weight:
    name: str
    url: str
    html: int
    html_gz: int
    assets_gz: int = 0
    fragment: bool = False
    assets: dict[str, int] = field(default_factory=dict)

    @property
    def first_load(self) -> int:
        return self.html_gz + self.assets_gz

    def over(self) -> list[str]:
        if self.fragment:
            return ["fragment"] if self.html_gz > FRAGMENT_BUDGET else []
        over = []
        if self.first_load > FIRST_LOAD_BUDGET:
            over.append("first load")
        if self.html_gz > CACHED_BUDGET:
            over.append("cached")
        return over


class Meter:
    """Fetches pages as one signed-in user and sizes them and what they reference."""

    def __init__(self, user) -> None:
        self.user = user
        self.client = Client(HTTP_HOST=HOST)
        self.client.force_login(user)
        self.secure = settings.SECURE_SSL_REDIRECT
        self._sizes: dict[str, int] = {}

    def get(self, url: str, **kwargs):
        response = self.client.get(url, secure=self.secure, **kwargs)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return response

    def page(self, name: str, url: str) -> Weight:
        response = self.get(url)
        body = response.content
        refs = _References()
        refs.feed(body.decode())
        urls = [urljoin(url, ref) for ref in refs.urls if not ref.startswith("data:")]
        for manifest in refs.manifests:
            urls += self._manifest_icons(urljoin(url, manifest))
        urls += self._install_urls()
        assets = {ref: self.size(ref) for ref in dict.fromkeys(urls)}
        return Weight(
            name,
            url,
            len(body),
            nginx_size(body, response["Content-Type"]),
            sum(assets.values()),
            assets=assets,
        )

    def fragment(self, name: str, url: str, data: dict | None = None) -> Weight:
        """An htmx answer; a POST is made in a transaction that is rolled back."""
        headers = {"HX-Request": "true"}
        if data is None:
            response = self.get(url, headers=headers)
        else:
            with transaction.atomic():
                response = self.client.post(url, data, headers=headers, secure=self.secure)
                transaction.set_rollback(True)
            if response.status_code != 200:
                raise CommandError(f"POST {url} answered {response.status_code}")
        body = response.content
        return Weight(
            name, url, len(body), nginx_size(body, response["Content-Type"]), fragment=True
        )

    def size(self, url: str) -> int:
        if url not in self._sizes:
            self._sizes[url] = self._fetch_size(url)
        return self._sizes[url]

    def _fetch_size(self, url: str) -> int:
        path = urlsplit(url).path
        prefix = _static_prefix()
        if path.startswith(prefix):
            name = path.removeprefix(prefix)
            return static_size(name, _static_bytes(name))
        response = self.get(path)
        return nginx_size(response.content, response["Content-Type"])

    def _manifest_icons(self, url: str) -> list[str]:
        manifest = json.loads(self.get(url).content)
        return [urljoin(url, icon["src"]) for icon in manifest.get("icons", [])]

    def _install_urls(self) -> list[str]:
        urls = []
        for name in INSTALL_URLS:
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(name))
        return urls


def _static_bytes(name: str) -> bytes:
    """The source file (development), or the collected one (hashed names in production)."""
    found = finders.find(name)
    if found:
        with open(found, "rb") as source:
            return source.read()
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as collected:
            return collected.read()
    raise CommandError(f"static file not found: {name}")


def mentor_pages(user) -> list[tuple[str, str]]:
    """The pages a mentor uses in the field, on their own data: the case at the top of "Tugas
    saya", its business, and their first village."""
    case = (
        Case.objects.visible_to(user).active().order_by("last_activity_at", "pk").first()
        or Case.objects.visible_to(user).order_by("pk").first()
    )
    business = case.business if case else Business.objects.visible_to(user).first()
    assignment = Assignment.objects.active().filter(mentor__user=user).order_by("pk").first()
    if not (case and business and assignment):
        raise CommandError(f"{user} needs an active village, a business and a case in it.")
    return [
        ("Desa saya (beranda)", reverse("home")),
        ("Tugas saya", reverse("assistance:my_tasks")),
        ("Kasus", case.get_absolute_url()),
        ("Usaha", business.get_absolute_url()),
        ("Daftar usaha", reverse("businesses:list")),
        ("Daftar kasus", reverse("assistance:list")),
        ("Kunjungan", reverse("assistance:visits")),
        ("Catat kunjungan", reverse("assistance:visit_create")),
        ("Desa", assignment.village.get_absolute_url()),
    ]


def measure(user) -> list[Weight]:
    meter = Meter(user)
    weights = [meter.page(name, url) for name, url in mentor_pages(user)]
    case = Case.objects.visible_to(user).active().order_by("last_activity_at", "pk").first()
    weights += [
        meter.fragment("Daftar usaha, disaring", reverse("businesses:list") + "?sektor=makanan"),
        meter.fragment("Daftar kasus, disaring", reverse("assistance:list") + "?status=aktif"),
    ]
    if case:
        note = reverse("assistance:note", args=[case.pk])
        weights.append(meter.fragment("Kasus: catatan baru", note, {"text": "Ukuran halaman"}))
    return weights


def _kb(size: int) -> str:
    return f"{size / KB:.1f}"


class Command(BaseCommand):
    help = "Print the transferred size of each mentor page (first load, cached) and fragment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="patriot01", help="a mentor's username")
        parser.add_argument("--check", action="store_true", help="fail when over a budget")

    def handle(self, *args, user: str, check: bool, **options) -> None:
        account = get_user_model().objects.filter(username=user).first()
        if account is None or not hasattr(account, "mentor"):
            raise CommandError(f"No mentor {user!r}: run seed_demo, or name one with --user.")
        # One JSON line per request would bury the table (as in `bench`).
        logging.getLogger("karawang.request").setLevel(logging.WARNING)
        weights = measure(account)
        self._print(user, weights)
        over = [f"{w.name} ({', '.join(w.over())})" for w in weights if w.over()]
        if over:
            message = f"Over budget: {'; '.join(over)}"
            if check:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(message))
        else:
            self.stdout.write(self.style.SUCCESS("All within budget."))

    def _print(self, user: str, weights: list[Weight]) -> None:
        out = self.stdout.write
        out(
            f"Mentor pages as {user}, KB (1 KB = 1024 bytes); budgets: first load ≤ "
            f"{_kb(FIRST_LOAD_BUDGET)}, cached ≤ {_kb(CACHED_BUDGET)}, fragment ≤ "
            f"{_kb(FRAGMENT_BUDGET)}"
        )
        out(f"{'page':<26}{'HTML':>8}{'HTML gz':>9}{'assets':>8}{'first load':>12}{'cached':>8}")
        for w in (w for w in weights if not w.fragment):
            flag = f"  OVER: {', '.join(w.over())}" if w.over() else ""
            out(
                f"{w.name:<26}{_kb(w.html):>8}{_kb(w.html_gz):>9}{_kb(w.assets_gz):>8}"
                f"{_kb(w.first_load):>12}{_kb(w.html_gz):>8}{flag}"
            )
        out(f"\n{'htmx fragment':<26}{'raw':>8}{'gz':>9}")
        for w in (w for w in weights if w.fragment):
            flag = "  OVER" if w.over() else ""
            out(f"{w.name:<26}{_kb(w.html):>8}{_kb(w.html_gz):>9}{flag}")
        assets = {url: size for w in weights for url, size in w.assets.items()}
        out("\nReferenced files (gz): " + ", ".join(f"{u} {_kb(s)}" for u, s in assets.items()))
