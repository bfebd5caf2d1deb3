"""Every list, board, detail page, the dashboard and a PDF, timed in-process on the data as it is
(run it on a `generate_scale_data` database: `make bench`). Prints, per page and role, the median
and 95th percentile in ms, the number of queries, the response size, and beside each list the
Django admin changelist for the same model and filter with the ratio.

The admin it compares against is this project's admin as it stood before issue 10 (Django's
default paginator and full counts, related-field filters, the village-name search; see
`_DefaultAdmin`), as the issue's own table did; `--tuned-admin` also times the admin as it is now
(`core.admin.LargeTableMixin`).
Figures are printed, never asserted: see README, "Kecepatan pada skala nasional".
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistance.models import Case, Visit
from businesses.models import Business
from cooperatives.models import Activity, Cooperative
from core.benchmarks import refuse_unless_bench_database
from core.pagination import KeysetPaginator
from reports import figures, pdf
from villages import roles
from villages.models import Assignment, KecamatanViewer, Mentor, Village

HOST = "127.0.0.1"
# Staff-only rows: a mentor's or camat's lists are too short for a page 50,000 rows deep, and
# the history is the office's.
STAFF_ONLY = ("riwayat", "daftar usaha, halaman", "daftar kasus, halaman")


@dataclass
class Row:
    page: str
    role: str
    median: float
    p95: float
    queries: int
    kb: float
    admin_median: float | None = None

    @property
    def ratio(self) -> str:
        if self.admin_median is None:
            return ""
        return f"{self.admin_median / self.median:.0f}x"


class Command(BaseCommand):
    help = "Mengukur kecepatan setiap halaman daftar, detail, dasbor dan PDF (dicetak)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20, help="pengukuran per halaman")
        parser.add_argument("--only", choices=["staff", "mentor", "camat"], help="satu peran")
        parser.add_argument("--no-admin", action="store_true", help="tanpa pembanding admin")
        parser.add_argument("--no-pdf", action="store_true")
        parser.add_argument("--tuned-admin", action="store_true")

    def handle(self, *args, runs: int, only: str | None, **options) -> None:
        refuse_unless_bench_database()
        logging.getLogger("fontTools").setLevel(logging.WARNING)  # the PDF's font subsetting
        # One JSON line per request would bury the table; production writes it to the journal.
        logging.getLogger("karawang.request").setLevel(logging.WARNING)
        if runs < 3:
            raise CommandError("--runs minimal 3.")
        self.runs = runs
        users = self.users()
        business = Business.objects.filter(village__in=users["mentor_villages"]).first()
        case = Case.objects.filter(business__village__in=users["mentor_villages"]).first()
        visit = Visit.objects.filter(village__in=users["mentor_villages"]).first()
        if not (business and case):
            raise CommandError("Data kosong: jalankan generate_scale_data dulu.")
        cooperative = Cooperative.objects.filter(district=users["district"]).first()
        activity = Activity.objects.filter(district=users["district"]).first()
        village = users["mentor_villages"][0]
        self.stdout.write(
            f"{connection.vendor}, {Business.objects.count():,} usaha, "
            f"{Case.objects.count():,} kasus, {Village.objects.count():,} desa; "
            f"median dan p95 dari {runs} permintaan setelah 2 pemanasan; "
            f"DEBUG {'menyala' if settings.DEBUG else 'mati (seperti produksi)'}\n"
        )
        if settings.DEBUG:
            # Query logging and template debugging cost 10-25 % of a page: not production's.
            self.stderr.write(
                "Peringatan: DEBUG menyala; `make bench` mengukur dengan DEBUG=0 seperti produksi."
            )

        lists = [
            # (label, url, query, admin url, admin query)
            ("daftar usaha", "/usaha/", {}, "/admin/businesses/business/", {}),
            (
                "daftar usaha, sektor",
                "/usaha/",
                {"sektor": "makanan"},
                "/admin/businesses/business/",
                {"sector__exact": "makanan"},
            ),
            (
                "daftar usaha, cari nama",
                "/usaha/",
                {"q": business.name},
                "/admin/businesses/business/",
                {"q": business.name},
            ),
            (
                "daftar usaha, cari kata umum",
                "/usaha/",
                {"q": "dodol"},
                "/admin/businesses/business/",
                {"q": "dodol"},
            ),
            (
                "daftar usaha, halaman dalam",
                "/usaha/",
                self.deep(Business.objects.all(), ("name", "pk")),
                "/admin/businesses/business/",
                {"p": "2000"},
            ),
            ("daftar kasus", "/pendampingan/", {}, "/admin/assistance/case/", {}),
            (
                "daftar kasus, layanan+status",
                "/pendampingan/",
                {"layanan": "halal", "status": "in_progress"},
                "/admin/assistance/case/",
                {"service__code": "halal", "status__exact": "in_progress"},
            ),
            (
                "daftar kasus, halaman dalam",
                "/pendampingan/",
                self.deep(Case.objects.all(), ("-last_activity_at", "-pk")),
                "/admin/assistance/case/",
                {"p": "2000"},
            ),
            ("tugas saya", "/pendampingan/tugas-saya/", {}, None, None),
            ("papan halal", "/pendampingan/papan/halal/", {}, None, None),
            ("papan NIB", "/pendampingan/papan/nib/", {}, None, None),
            ("daftar kunjungan", "/pendampingan/kunjungan/", {}, None, None),
            ("daftar desa", "/desa/", {}, "/admin/villages/village/", {}),
            ("daftar koperasi", "/koperasi/", {}, None, None),
            ("daftar kegiatan", "/koperasi/kegiatan/", {}, None, None),
            ("beranda", "/", {}, None, None),
            ("riwayat usaha", "/riwayat/", {"jenis": "businesses.business"}, None, None),
        ]
        details = [
            ("detail usaha", f"/usaha/{business.pk}/"),
            ("detail kasus", f"/pendampingan/{case.pk}/"),
            ("detail desa", f"/desa/{village.code}/"),
        ]
        if visit:
            details.append(("detail kunjungan", f"/pendampingan/kunjungan/{visit.pk}/"))
        if cooperative:
            details.append(("detail koperasi", f"/koperasi/{cooperative.pk}/"))
        if activity:
            details.append(("detail kegiatan", f"/koperasi/kegiatan/{activity.pk}/"))
        year = str(timezone.localdate().year)
        details.append(("dasbor laporan", f"/laporan/?periode={year}"))

        admin_client = None
        if not options["no_admin"]:
            admin_client = self.client(users["admin"])
        rows: list[Row] = []
        for role in ("staff", "mentor", "camat"):
            if only and role != only:
                continue
            client = self.client(users[role])
            for label, url, query, admin_url, admin_query in lists:
                if role != "staff" and label.startswith(STAFF_ONLY):
                    continue
                row = self.measure(client, label, role, url, query)
                if admin_client and admin_url and role == "staff":
                    with self.default_admin():
                        row.admin_median = self.measure(
                            admin_client, "", "", admin_url, admin_query
                        ).median
                rows.append(row)
                self.print_row(row)
            for label, url in details:
                if role == "camat" and label in ("detail kunjungan",):
                    continue
                path, _, query = url.partition("?")
                query = dict(part.split("=", 1) for part in query.split("&") if part)
                rows.append(self.measure(client, label, role, path, query))
                self.print_row(rows[-1])
        if options["tuned_admin"] and admin_client:
            for label, url, query in [
                ("admin usaha (proyek)", "/admin/businesses/business/", {}),
                ("admin usaha, cari (proyek)", "/admin/businesses/business/", {"q": "dodol"}),
                ("admin kasus (proyek)", "/admin/assistance/case/", {}),
                ("admin desa (proyek)", "/admin/villages/village/", {}),
                (
                    "admin riwayat usaha (proyek)",
                    f"/admin/businesses/business/{business.pk}/history/",
                    {},
                ),
            ]:
                rows.append(self.measure(admin_client, label, "admin", url, query))
                self.print_row(rows[-1])
        if not options["no_pdf"] and (not only or only == "staff"):
            self.pdf(users["staff"], year)

    # --- setup -----------------------------------------------------------------------------

    def users(self) -> dict:
        """A staff member, a superuser (admin), a mentor with three villages (or the most there
        are) and the camat of that mentor's kecamatan; made once, reused."""
        roles.ensure_roles()
        user_model = get_user_model()
        staff, _ = user_model.objects.get_or_create(username="bench-staff")
        staff.groups.add(Group.objects.get(name=roles.DINKOP))
        admin_user, _ = user_model.objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
        today = timezone.localdate()
        mentor = None
        for wanted in (3, 2, 1):
            mentor = (
                Mentor.objects.filter(assignments__in=Assignment.objects.active(today))
                .annotate(n=Count("assignments"))
                .filter(n=wanted)
                .order_by("pk")
                .first()
            )
            if mentor:
                break
        if mentor is None:
            raise CommandError("Tidak ada Patriot Desa dengan penugasan aktif.")
        villages = list(
            Village.objects.filter(assignments__in=mentor.assignments.active(today)).order_by("pk")
        )
        camat, _ = user_model.objects.get_or_create(username="bench-camat")
        camat.groups.add(Group.objects.get(name=roles.KECAMATAN))
        KecamatanViewer.objects.update_or_create(
            user=camat, defaults={"district": villages[0].district, "role": "camat"}
        )
        self.stdout.write(
            f"Patriot Desa: {mentor} ({len(villages)} desa: "
            f"{', '.join(v.name for v in villages)}); camat: Kec. {villages[0].district.name}"
        )
        return {
            "staff": staff,
            "admin": admin_user,
            "mentor": mentor.user,
            "mentor_villages": villages,
            "camat": camat,
            "district": villages[0].district,
        }

    def client(self, user) -> Client:
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        return client

    def deep(self, queryset, ordering) -> dict:
        """The query string of the page that starts 50,000 rows in (page 2,000 of 25), as the
        "next" links would reach it."""
        paginator = KeysetPaginator(queryset, ordering, 25)
        row = queryset.order_by(*ordering)[49_999:50_000].first()
        return {"setelah": paginator.cursor(row)} if row else {}

    # --- measuring -------------------------------------------------------------------------

    def measure(self, client: Client, label: str, role: str, url: str, query: dict) -> Row:
        for _ in range(2):
            self.get(client, url, query)
        timings = []
        for _ in range(self.runs):
            began = time.perf_counter()
            self.get(client, url, query)
            timings.append(1000 * (time.perf_counter() - began))
        with CaptureQueriesContext(connection) as queries:
            response = self.get(client, url, query)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
        return Row(
            label,
            role,
            statistics.median(timings),
            p95,
            len(queries),
            len(response.content) / 1024,
        )

    def get(self, client: Client, url: str, query: dict):
        response = client.get(url, query)
        if response.status_code != 200:
            raise CommandError(f"{url} {query}: HTTP {response.status_code}")
        return response

    def print_row(self, row: Row) -> None:
        admin_part = ""
        if row.admin_median is not None:
            admin_part = f" | admin {row.admin_median:8.1f} ms  {row.ratio:>5}"
        self.stdout.write(
            f"{row.page:32} {row.role:7} median {row.median:7.1f} ms  p95 {row.p95:7.1f} ms  "
            f"{row.queries:3} kueri  {row.kb:6.1f} KB{admin_part}"
        )
        self.stdout.flush()

    def default_admin(self):
        """Django's default ModelAdmin in place of ours, for the comparison."""
        return _DefaultAdmin()

    def pdf(self, user, year: str) -> None:
        began = time.perf_counter()
        result = figures.compute(user, figures.parse_period(year), figures.Area(), full=True)
        computed = time.perf_counter() - began
        content, pages = pdf.render_pdf(result)
        self.stdout.write(
            f"PDF tahunan kabupaten: angka {1000 * computed:.0f} ms, total "
            f"{time.perf_counter() - began:.2f} s, {pages} halaman, {len(content) / 1024:.0f} KB"
        )


class _DefaultAdmin:
    """While the comparison runs, the admin as it stood before issue 10: Django's default
    paginator with full counts, the related-field kecamatan filters (every kecamatan of the
    country) and the village-name search; list columns as registered. Attributes are set on the
    ModelAdmin instances, which the admin's URLs are bound to, and removed afterwards."""

    SETTINGS = {
        Business: {
            "list_filter": ["sector", "village__district", "owner_gender"],
            "search_fields": ["name", "owner_name", "village__name"],
        },
        Case: {
            "list_filter": ["service__code", "status", "business__village__district"],
            "search_fields": ["business__name", "business__owner_name"],
        },
        Village: {"list_filter": ["extreme_poverty_year", "district__regency"]},
    }
    DEFAULTS = ["paginator", "show_full_result_count"]

    def __enter__(self):
        for model, options in self.SETTINGS.items():
            model_admin = admin.site._registry[model]
            for name in self.DEFAULTS:
                setattr(model_admin, name, getattr(admin.ModelAdmin, name))
            for name, value in options.items():
                setattr(model_admin, name, value)
        return self

    def __exit__(self, *exc):
        for model, options in self.SETTINGS.items():
            model_admin = admin.site._registry[model]
            for name in [*self.DEFAULTS, *options]:
                model_admin.__dict__.pop(name, None)
