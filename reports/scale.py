"""Scale data: a PostgreSQL database filled with a country's worth of valid, realistic records.

Everything is written by `INSERT … SELECT` statements that PostgreSQL runs on its own (random
choices from word lists, dates over four years), so a million businesses take seconds rather than
the hours one `save()` per row would. The data follows the application's rules: valid NIKs whose
area and birth date parts are real, one case per business and service, steps that belong to the
case's service, closed cases with their dates and outcome numbers, businesses that carry the legal
numbers their done cases produced, mentors on active one-year placements in 1–3 neighbouring
villages, and a creation entry in the businesses' history.

Used by `manage.py generate_scale_data` (see there for the safety rules) and by the scale tests at
a tiny size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from businesses.models import SALES_LIMITS, Scale
from villages import roles
from villages.models import one_year_after

MARKER_TABLE = "scale_generated"
# The big tables, indexed after loading.
BULK_TABLES = [
    "businesses_business",
    "businesses_product",
    "businesses_historicalbusiness",
    "assistance_case",
    "assistance_caseevent",
]
USER_PREFIX = "gen-"


def _scale_sql(annual_sales: str) -> str:
    """Business.scale for an SQL expression of annual sales (no capital, no start date known):
    PP 7/2021's thresholds, from businesses.models, as a CASE."""
    limits = " ".join(
        f"WHEN {annual_sales} <= {limit} THEN '{scale.value}'"
        for limit, scale in zip(SALES_LIMITS, [Scale.MICRO, Scale.SMALL, Scale.MEDIUM], strict=True)
    )
    return (
        f"CASE WHEN {annual_sales} IS NULL THEN '{Scale.UNKNOWN.value}' {limits} "
        f"ELSE '{Scale.LARGE.value}' END"
    )


# Tables the generator fills, children first (emptied in this order by --replace).
TABLES = [
    "cooperatives_participation",
    "cooperatives_activity",
    "cooperatives_cooperative",
    "assistance_visit_businesses",
    "assistance_visit",
    "assistance_caseevent",
    "assistance_case",
    "businesses_historicalbusiness",
    "businesses_product",
    "businesses_business",
    "villages_assignment",
    "villages_mentor",
]

FIRST_NAMES = (  # noqa: SIM905 - a word list reads better as text
    "Asep Dede Ujang Cecep Dadang Agus Budi Eko Joko Slamet Rudi Hendra Iwan Yusuf Fajar "
    "Rizki Ilham Dimas Andi Ahmad Siti Dewi Euis Nining Neneng Yati Tuti Rina Sri Wati Nurul "
    "Intan Ayu Fitri Lilis Imas Entin Cucu Ratna Yanti Made Wayan Ketut Nyoman Putu Komang "
    "Teuku Cut Ucok Butet Rahmat Hasan Rosmini Marlina Yohanes Maria Agustina Ambo Daeng"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Saepudin Hidayat Kurniawan Ramadhan Nurhasanah Permatasari Komalasari Maulana Marlina "
    "Firmansyah Lestari Setiawan Suryana Sutisna Supriatna Rohman Wahyudi Santoso Wibowo "
    "Susanto Hartono Pratama Saputra Siregar Nasution Harahap Lubis Simanjuntak Manurung "
    "Sinaga Mahendra Wijaya Kusuma Gunawan Hakim Rahayu Handayani Susilawati Yuliani Suryani"
).split()
PRODUCT_WORDS = (  # noqa: SIM905
    "Keripik Singkong|Keripik Pisang|Dodol Nanas|Rengginang|Opak Ketan|Emping Melinjo|"
    "Kerupuk Ikan|Ikan Asin|Terasi|Sambal Roa|Kopi Bubuk|Gula Aren|Madu Hutan|Tahu Sumedang|"
    "Tempe Mendoan|Bakso Sapi|Abon Sapi|Kue Kering|Bolu Pandan|Batik Tulis|Tenun Ikat|"
    "Anyaman Bambu|Tas Rajut|Sandal Kulit|Kerajinan Kayu|Gerabah|Sabun Herbal|Jamu Kunyit|"
    "Beras Organik|Sayur Hidroponik|Telur Asin|Lele Asap|Jasa Jahit|Cuci Motor"
).split("|")
NAME_WORDS = (  # noqa: SIM905
    "Berkah Barokah Jaya Makmur Sejahtera Mandiri Sari Lestari Rasa Asri Putra Putri Sumber "
    "Mekar Sinar Cahaya Mulya Abadi Sentosa Bahagia Rezeki Amanah Harapan Melati Mawar Kenanga"
).split()
PREFIXES = ["UD", "CV", "Warung", "Toko", "Rumah", "Dapur", "Kedai", "Griya", "Omah", "Saung"]
SECTORS = [
    # (value, share of businesses, KBLI codes)
    ("makanan", 0.40, ["10792", "10793", "10794", "10750", "10131"]),
    ("kerajinan", 0.12, ["16292", "32901", "23931"]),
    ("fesyen", 0.10, ["13134", "14111", "15201"]),
    ("pertanian", 0.10, ["01135", "01137", "01292"]),
    ("perikanan", 0.08, ["03221", "01461", "10221"]),
    ("perdagangan", 0.12, ["47111", "47211", "47724"]),
    ("jasa", 0.06, ["95230", "96011", "45405"]),
    ("lainnya", 0.02, ["20232", "32909"]),
]
STATUSES = [
    # (status, share of cases)
    ("open", 0.10),
    ("in_progress", 0.30),
    ("submitted", 0.10),
    ("done", 0.40),
    ("rejected", 0.05),
    ("cancelled", 0.05),
]
ACTIVITY_TITLES = [
    ("pelatihan_usaha", "Pelatihan pengolahan pangan"),
    ("pelatihan_koperasi", "Pelatihan perkoperasian"),
    ("bazar", "Bazar produk koperasi dan UMKM"),
    ("pengadaan", "Pengadaan tenda dan genset"),
    ("pendampingan", "Pendampingan koperasi"),
    ("fgd", "FGD satu kecamatan satu koperasi"),
]


@dataclass
class Sizes:
    businesses: int = 1_000_000
    cases: int = 3_000_000
    mentors: int = 5_000
    visits: int = 200_000
    cooperatives: int = 20_000
    activities: int = 10_000
    villages: int = 0  # spread over this many villages (0: all)
    seed: float = 0.42


def _pick(column: str, shares: list[tuple]) -> str:
    """A CASE expression choosing a value by cumulative share of the random `column`."""
    parts, total = [], 0.0
    for value, share, *_ in shares:
        total += share
        parts.append(f"WHEN {column} < {total:.4f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{shares[-1][0]}' END"


def has_marker() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER_TABLE])
        return cursor.fetchone()[0]


def foreign_rows() -> list[str]:
    """The tables the generator fills that already hold rows (one cheap EXISTS each)."""
    found = []
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - fixed names
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def describe() -> str:
    """When and at what size the data here was generated."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT generated_at, sizes FROM {MARKER_TABLE}")  # noqa: S608
        generated_at, sizes = cursor.fetchone()
    return f"{generated_at:%Y-%m-%d %H:%M}, {sizes}"


def marker_forced() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bool_or(forced) FROM {MARKER_TABLE}")  # noqa: S608
        return bool(cursor.fetchone()[0])


def clear() -> None:
    """Empty every table the generator fills, and its users (only after a clean generation)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending checks
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        generated_users = "SELECT id FROM auth_user WHERE username LIKE %s"
        cursor.execute(
            f"DELETE FROM auth_user_groups WHERE user_id IN ({generated_users})",  # noqa: S608
            [USER_PREFIX + "%"],
        )
        cursor.execute("DELETE FROM auth_user WHERE username LIKE %s", [USER_PREFIX + "%"])
        cursor.execute(f"DROP TABLE {MARKER_TABLE}")


def generate(sizes: Sizes, *, forced: bool, log: Callable[[str], None]) -> dict[str, int]:
    """Fill the database; returns the row count of each table written."""
    today = timezone.localdate()
    start = date(today.year if today.month >= 3 else today.year - 1, 3, 1)
    steps = _Steps(sizes, today, start, log)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The rows are consistent by construction: skip the deferred foreign-key checks
            # (millions of trigger events at commit). Needs a superuser; otherwise they run.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(%s)", [sizes.seed])
        # Loading into bare tables and indexing once at the end is several times faster than
        # updating twenty indexes row by row.
        indexes = _drop_indexes(cursor, BULK_TABLES)
        steps.run(cursor, steps.bulk)
        began = time.monotonic()
        for statement in indexes:
            cursor.execute(statement)
        for table in BULK_TABLES:  # the remaining steps' plans need the new tables' statistics
            cursor.execute(f"ANALYZE {table}")
        log(f"indexes: {len(indexes)}, {time.monotonic() - began:.1f} s")
        steps.run(cursor, steps.rest)
        cursor.execute(
            "DROP TABLE IF EXISTS gen_village, gen_step, gen_service, gen_mentor, gen_assigned, "
            "gen_sipd"
        )
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (generated_at timestamptz, forced boolean, sizes text)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (now(), %s, %s)",  # noqa: S608
            [forced, repr(sizes)],
        )
    # VACUUM sets the visibility map, without which every index-only scan (the capped counts)
    # would still read the table; it cannot run inside a transaction (a test's), ANALYZE can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        began = time.monotonic()
        for table in TABLES:
            cursor.execute(f"{command} {table}")
        log(f"{command}: {time.monotonic() - began:.1f} s")
    return steps.counts


def _drop_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the tables' indexes that back no constraint; return the statements that rebuild
    them."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


class _Steps:
    def __init__(self, sizes: Sizes, today: date, start: date, log: Callable[[str], None]):
        self.sizes = sizes
        self.today = today
        self.start = start
        self.end = one_year_after(start)
        self.log = log
        self.counts: dict[str, int] = {}

        # Loaded into tables without their indexes; `rest` needs the indexes back.
        self.bulk = [
            self.areas,
            self.mentors,
            self.businesses,
            self.products,
            self.cases,
            self.legal_numbers,
            self.events,
            self.history,
        ]
        self.rest = [self.visits, self.cooperatives, self.activities]

    def run(self, cursor, steps: list) -> None:
        for step in steps:
            began = time.monotonic()
            step(cursor)
            name = step.__name__
            self.log(
                f"{name}: {self.counts.get(name, 0):,} baris, {time.monotonic() - began:.1f} s"
            )

    def areas(self, cursor) -> None:
        # Every village, or with --villages N every k-th of them (N spread over the country), so
        # that a small data set can keep a large one's businesses per village.
        cursor.execute("SELECT count(*) FROM villages_village")
        total = cursor.fetchone()[0]
        step = max(1, total // self.sizes.villages) if self.sizes.villages else 1
        cursor.execute(
            """
            CREATE TEMP TABLE gen_village ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id)::int AS n, id, district_id, nik_area,
                   regency_digits
            FROM (
                SELECT row_number() OVER (ORDER BY v.id) AS k, v.id, v.district_id,
                       replace(d.code, '.', '') AS nik_area,
                       replace(left(d.code, 5), '.', '') AS regency_digits
                FROM villages_village v JOIN villages_district d ON d.id = v.district_id
            ) all_villages
            WHERE (k - 1) %% %s = 0
            """,
            [step],
        )
        cursor.execute("CREATE UNIQUE INDEX ON gen_village (n)")
        cursor.execute("CREATE UNIQUE INDEX ON gen_village (id)")
        cursor.execute("SELECT count(*) FROM gen_village")
        self.villages = cursor.fetchone()[0]
        cursor.execute(
            """
            CREATE TEMP TABLE gen_step ON COMMIT DROP AS
            SELECT s.id AS service_id, s.code, st.id AS step_id, st."order" AS ord,
                   count(*) OVER (PARTITION BY s.id) AS steps,
                   row_number() OVER (PARTITION BY s.id ORDER BY st."order") AS position
            FROM assistance_service s JOIN assistance_step st ON st.service_id = s.id
            """
        )
        cursor.execute(
            "CREATE TEMP TABLE gen_service ON COMMIT DROP AS "
            "SELECT DISTINCT service_id, code, steps FROM gen_step"
        )
        cursor.execute("SELECT count(*) FROM gen_service")
        self.services = cursor.fetchone()[0]
        self.counts["areas"] = self.villages

    def mentors(self, cursor) -> None:
        # Mentor m works in 1–3 neighbouring villages (consecutive ids lie in one kecamatan),
        # blocks spaced evenly over the country so that no two mentors share a village.
        mentors = min(self.sizes.mentors, self.villages // 3)
        stride = max(3, self.villages // max(mentors, 1))
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                                   is_staff, is_active, date_joined)
            SELECT '!', false, %(prefix)s || 'mentor-' || lpad(g::text, 6, '0'),
                   (%(first)s::text[])[1 + floor(random() * %(nfirst)s)::int],
                   (%(last)s::text[])[1 + floor(random() * %(nlast)s)::int],
                   '', false, true, %(start)s::timestamptz
            FROM generate_series(1, %(mentors)s) g
            """,
            {
                "prefix": USER_PREFIX,
                "first": FIRST_NAMES,
                "nfirst": len(FIRST_NAMES),
                "last": LAST_NAMES,
                "nlast": len(LAST_NAMES),
                "start": self.start,
                "mentors": mentors,
            },
        )
        # The office's clerk who records the generated activities.
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                                   is_staff, is_active, date_joined)
            VALUES ('!', false, %s, 'Staf', 'Dinkop', '', false, true, now()) RETURNING id
            """,
            [USER_PREFIX + "staff"],
        )
        self.staff_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO auth_user_groups (user_id, group_id) "
            "SELECT %s, id FROM auth_group WHERE name = %s",
            [self.staff_id, roles.DINKOP],
        )
        cursor.execute(
            """
            INSERT INTO villages_mentor (phone, cohort_year, placing_agency, user_id)
            SELECT '+62812' || lpad((id * 7919 %% 100000000)::text, 8, '0'), %s,
                   'DPMD Provinsi', id
            FROM auth_user WHERE username LIKE %s ORDER BY id
            """,
            [self.start.year, USER_PREFIX + "mentor-%"],
        )
        cursor.execute(
            """
            INSERT INTO auth_user_groups (user_id, group_id)
            SELECT m.user_id, g.id FROM villages_mentor m, auth_group g WHERE g.name = %s
            """,
            [roles.MENTOR],
        )
        cursor.execute(
            """
            INSERT INTO villages_assignment (start_date, end_date, note, mentor_id, village_id)
            SELECT %(start)s, %(end)s, '', m.id, v.id
            FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM villages_mentor) m
            CROSS JOIN generate_series(0, 2) j
            JOIN gen_village v ON v.n = 1 + m.k * %(stride)s + j
            WHERE j <= (m.k + 2) %% 3
            """,
            {"start": self.start, "end": self.end, "stride": stride},
        )
        cursor.execute(
            """
            CREATE TEMP TABLE gen_mentor ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY m.id)::int AS n, m.id, m.user_id
            FROM villages_mentor m
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON gen_mentor (n)")
        cursor.execute(
            """
            CREATE TEMP TABLE gen_assigned ON COMMIT DROP AS
            SELECT a.village_id, a.mentor_id, m.user_id
            FROM villages_assignment a JOIN villages_mentor m ON m.id = a.mentor_id
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON gen_assigned (village_id)")
        self.mentor_count = mentors
        self.counts["mentors"] = mentors

    def businesses(self, cursor) -> None:
        sector = _pick("r_sector", SECTORS)
        scale = _scale_sql(
            "CASE WHEN r_size < 0.9 THEN 12 * (500000 + floor(r_size * r_size * 60) * 500000) END"
        )
        kbli = " ".join(
            f"WHEN sector = '{value}' THEN (ARRAY{codes})[1 + floor(r_kbli * {len(codes)})::int]"
            for value, _share, codes in SECTORS
        )
        cursor.execute(
            f"""
            INSERT INTO businesses_business (
                version, name, owner_name, owner_nik, owner_gender, phone, address, village_id,
                sector, kbli, employees, monthly_turnover, nib_number, pirt_number, halal_number,
                publication_consent, consent_date, created_at, updated_at, scale)
            SELECT 1, name, owner_name,
                   nik_area || lpad((birth_day + CASE WHEN female THEN 40 ELSE 0 END)::text, 2, '0')
                            || lpad(birth_month::text, 2, '0') || lpad(birth_year::text, 2, '0')
                            || lpad((1 + g %% 9999)::text, 4, '0'),
                   CASE WHEN female THEN 'P' ELSE 'L' END,
                   CASE WHEN r_phone < 0.8
                        THEN '+628' || (1 + floor(r_phone * 9))::int::text
                             || lpad((g * 104729 %% 1000000000)::text, 9, '0')
                        ELSE '' END,
                   'RT ' || lpad((1 + g %% 12)::text, 2, '0') || ' RW '
                         || lpad((1 + g %% 7)::text, 2, '0'),
                   village_id, sector, CASE {kbli} END, 1 + floor(r_size * r_size * 20)::int,
                   CASE WHEN r_size < 0.9
                        THEN (500000 + floor(r_size * r_size * 60) * 500000)::bigint END,
                   '', '', '', r_consent < 0.3,
                   CASE WHEN r_consent < 0.3 THEN created_at::date END,
                   created_at, created_at, {scale}
            FROM (
                SELECT v.id AS village_id, v.nik_area, s.*, {sector} AS sector,
                       CASE WHEN r_name < 0.5
                            THEN (%(product)s::text[])[1 + floor(r_word * %(nproduct)s)::int]
                                 || ' ' || (%(word)s::text[])[1 + floor(r_word2 * %(nword)s)::int]
                                 || ' ' || (%(first)s::text[])[1 + floor(r_owner * %(nfirst)s)::int]
                            ELSE (%(prefix)s::text[])[
                                     1 + floor(r_name * 2 * %(nprefix)s)::int %% %(nprefix)s]
                                 || ' ' || (%(word)s::text[])[1 + floor(r_word * %(nword)s)::int]
                                 || ' ' || (%(first)s::text[])[1 + floor(r_word2 * %(nfirst)s)::int]
                       END AS name,
                       (%(first)s::text[])[1 + floor(r_owner * %(nfirst)s)::int] || ' '
                       || (%(last)s::text[])[1 + floor(r_owner2 * %(nlast)s)::int] AS owner_name,
                       now() - (r_created * interval '1460 days') AS created_at
                FROM (
                    SELECT g, random() AS r_sector, random() AS r_kbli, random() AS r_name,
                           random() AS r_word, random() AS r_word2, random() AS r_owner,
                           random() AS r_owner2, random() < 0.55 AS female, random() AS r_phone,
                           random() AS r_size, random() AS r_consent, random() AS r_created,
                           1 + floor(random() * 28)::int AS birth_day,
                           1 + floor(random() * 12)::int AS birth_month,
                           floor(random() * 100)::int AS birth_year,
                           1 + floor(random() * %(villages)s)::int AS vn
                    FROM generate_series(1, %(businesses)s::bigint) g
                ) s
                JOIN gen_village v ON v.n = s.vn
            ) b
            """,  # noqa: S608 - expressions built above from constants; values are parameters
            {
                "product": PRODUCT_WORDS,
                "nproduct": len(PRODUCT_WORDS),
                "word": NAME_WORDS,
                "nword": len(NAME_WORDS),
                "prefix": PREFIXES,
                "nprefix": len(PREFIXES),
                "first": FIRST_NAMES,
                "nfirst": len(FIRST_NAMES),
                "last": LAST_NAMES,
                "nlast": len(LAST_NAMES),
                "villages": self.villages,
                "businesses": self.sizes.businesses,
            },
        )
        self.counts["businesses"] = cursor.rowcount

    def products(self, cursor) -> None:
        # 0–3 products per business (1.2 on average); the first of a consenting one is featured.
        cursor.execute(
            """
            INSERT INTO businesses_product (version, name, description, price, photo, featured,
                                            business_id)
            SELECT 1, (%(product)s::text[])[1 + (b.id * 7 + k) %% %(nproduct)s]
                      || CASE k WHEN 1 THEN '' WHEN 2 THEN ' Pedas' ELSE ' Kemasan Besar' END,
                   '', 5000 * (1 + (b.id * 13 + k * 5) %% 40), '',
                   k = 1 AND b.publication_consent, b.id
            FROM businesses_business b
            CROSS JOIN LATERAL generate_series(1, ((b.id * 2654435761) %% 5)::int %% 4) k
            """,
            {"product": PRODUCT_WORDS, "nproduct": len(PRODUCT_WORDS)},
        )
        self.counts["products"] = cursor.rowcount

    def cases(self, cursor) -> None:
        share = min(1.0, self.sizes.cases / max(1, self.counts["businesses"] * self.services))
        status = _pick("r_status", STATUSES)
        cursor.execute(
            f"""
            INSERT INTO assistance_case (
                version, business_id, service_id, mentor_id, status, step_id, opened_on,
                submitted_on, closed_on, outcome_number, outcome_date, outcome_expiry, reason,
                last_activity_at, created_at)
            SELECT 1, c.business_id, c.service_id, c.mentor_id, c.status, st.step_id,
                   c.opened_on,
                   CASE WHEN c.status IN ('submitted', 'done', 'rejected')
                        THEN c.opened_on + (c.span * 0.6)::int END,
                   CASE WHEN c.status IN ('done', 'rejected', 'cancelled')
                        THEN c.opened_on + c.span END,
                   CASE WHEN c.status = 'done' THEN
                        CASE c.code
                            WHEN 'nib' THEN lpad((c.business_id * 7907 %% 10000000000000)::text,
                                                 13, '9')
                            WHEN 'pirt' THEN (2 + c.business_id %% 7)::text
                                 || lpad((c.business_id %% 99)::text, 2, '0')
                                 || c.regency_digits
                                 || lpad((1 + c.business_id %% 97)::text, 2, '0')
                                 || lpad((1 + c.business_id %% 9973)::text, 4, '0') || '-'
                                 || to_char(c.opened_on + c.span + interval '5 years', 'YY')
                            WHEN 'halal' THEN 'ID' || c.regency_digits || '1'
                                 || lpad((c.business_id %% 10000000)::text, 7, '0')
                                 || to_char(c.opened_on + c.span, 'MMYY')
                            ELSE '' END
                        ELSE '' END,
                   CASE WHEN c.status = 'done' THEN c.opened_on + c.span END,
                   CASE WHEN c.status = 'done' AND c.code = 'pirt'
                        THEN (c.opened_on + c.span + interval '5 years')::date END,
                   CASE c.status WHEN 'rejected' THEN 'Berkas belum lengkap'
                                 WHEN 'cancelled' THEN 'Usaha berhenti sementara' ELSE '' END,
                   CASE WHEN c.status IN ('done', 'rejected', 'cancelled')
                        THEN (c.opened_on + c.span)::timestamptz + interval '10 hours'
                        ELSE now() - c.idle * (now() - c.opened_on::timestamptz) END,
                   c.opened_on::timestamptz + interval '9 hours'
            FROM (
                SELECT b.id AS business_id, s.service_id, s.code, s.steps, v.regency_digits,
                       coalesce(a.mentor_id, m.id) AS mentor_id, {status} AS status,
                       (%(today)s::date - floor(r_open * r_open * 1460)::int) AS opened_on,
                       floor(r_span * least(120, floor(r_open * r_open * 1460)))::int AS span,
                       r_step, random() AS idle
                FROM (
                    SELECT b.id, b.village_id, s.service_id, random() AS r_status,
                           random() AS r_open, random() AS r_span, random() AS r_step,
                           1 + floor(random() * %(mentors)s)::int AS mn
                    FROM businesses_business b CROSS JOIN gen_service s
                    WHERE random() < %(share)s
                ) r
                JOIN businesses_business b ON b.id = r.id
                JOIN gen_service s ON s.service_id = r.service_id
                JOIN gen_village v ON v.id = r.village_id
                LEFT JOIN gen_assigned a ON a.village_id = r.village_id
                LEFT JOIN gen_mentor m ON m.n = r.mn
            ) c
            LEFT JOIN gen_step st ON st.service_id = c.service_id AND st.position =
                CASE WHEN c.status = 'open' THEN NULL
                     WHEN c.status IN ('in_progress', 'cancelled')
                          THEN 1 + floor(c.r_step * greatest(c.steps - 1, 1))::int
                     ELSE c.steps END
            """,  # noqa: S608 - expressions built above from constants; values are parameters
            {
                "today": self.today,
                "mentors": self.mentor_count,
                "share": share,
            },
        )
        self.counts["cases"] = cursor.rowcount

    def legal_numbers(self, cursor) -> None:
        """Done NIB, PIRT and halal cases wrote their numbers onto the business."""
        cursor.execute(
            """
            UPDATE businesses_business b SET
                nib_number = coalesce(l.nib, ''), nib_date = l.nib_date,
                pirt_number = coalesce(l.pirt, ''), pirt_expiry = l.pirt_expiry,
                halal_number = coalesce(l.halal, ''), halal_date = l.halal_date
            FROM (
                SELECT c.business_id,
                       max(c.outcome_number) FILTER (WHERE s.code = 'nib') AS nib,
                       max(c.outcome_date) FILTER (WHERE s.code = 'nib') AS nib_date,
                       max(c.outcome_number) FILTER (WHERE s.code = 'pirt') AS pirt,
                       max(c.outcome_expiry) FILTER (WHERE s.code = 'pirt') AS pirt_expiry,
                       max(c.outcome_number) FILTER (WHERE s.code = 'halal') AS halal,
                       max(c.outcome_date) FILTER (WHERE s.code = 'halal') AS halal_date
                FROM assistance_case c JOIN gen_service s ON s.service_id = c.service_id
                WHERE c.status = 'done' AND s.code IN ('nib', 'pirt', 'halal')
                GROUP BY c.business_id
            ) l
            WHERE l.business_id = b.id
            """
        )
        self.counts["legal_numbers"] = cursor.rowcount

    def events(self, cursor) -> None:
        """Each case's timeline: opened; then its step, submission and closing, as it went."""
        cursor.execute(
            """
            INSERT INTO assistance_caseevent (kind, at, from_status, to_status, text, by_id,
                                              case_id, step_id)
            SELECT e.kind, e.at, e.from_status, e.to_status, e.text, m.user_id, c.id, e.step_id
            FROM assistance_case c
            LEFT JOIN villages_mentor m ON m.id = c.mentor_id
            CROSS JOIN LATERAL (VALUES
                ('created', c.created_at, '', '', 'Kasus dibuka saat kunjungan', NULL::bigint,
                 true),
                ('step', c.last_activity_at, 'open', '', '', c.step_id,
                 c.status = 'in_progress' AND c.step_id IS NOT NULL),
                ('status', c.submitted_on::timestamptz + interval '11 hours', 'in_progress',
                 'submitted', '', NULL, c.submitted_on IS NOT NULL),
                ('status', c.last_activity_at, 'submitted', c.status, c.reason, NULL,
                 c.status IN ('done', 'rejected', 'cancelled'))
            ) e(kind, at, from_status, to_status, text, step_id, happened)
            WHERE e.happened
            """
        )
        self.counts["events"] = cursor.rowcount

    def history(self, cursor) -> None:
        """The creation entry each business has in its history (NIK stored masked there)."""
        cursor.execute(
            """
            INSERT INTO businesses_historicalbusiness (
                id, version, name, owner_name, owner_nik, owner_gender, phone, address, sector,
                kbli, employees, monthly_turnover, nib_number, nib_date, pirt_number, pirt_expiry,
                halal_number, halal_date, created_at, history_date, history_change_reason,
                history_type, village_id, consent_date, publication_consent, scale)
            SELECT id, version, name, owner_name,
                   left(owner_nik, 4) || repeat('•', 8) || right(owner_nik, 4),
                   owner_gender, phone, address, sector, kbli, employees, monthly_turnover,
                   '', NULL, '', NULL, '', NULL, created_at, created_at, NULL, '+', village_id,
                   consent_date, publication_consent, scale
            FROM businesses_business
            """
        )
        self.counts["history"] = cursor.rowcount

    def visits(self, cursor) -> None:
        """This placement's visits by each mentor to their villages, 1–3 businesses each."""
        days = max(1, (self.today - self.start).days)
        cursor.execute(
            """
            INSERT INTO assistance_visit (date, activities, notes, created_at, created_by_id,
                                          mentor_id, village_id)
            SELECT d, 'Pendampingan NIB dan pemetaan potensi', '', d::timestamptz
                   + interval '15 hours', a.user_id, a.mentor_id, a.village_id
            FROM (
                SELECT %(start)s::date + floor(random() * %(days)s)::int AS d,
                       1 + floor(random() * (SELECT count(*) FROM gen_assigned))::int AS an
                FROM generate_series(1, %(visits)s)
            ) v
            JOIN (SELECT row_number() OVER (ORDER BY village_id)::int AS an, * FROM gen_assigned) a
              ON a.an = v.an
            """,
            {"start": self.start, "days": days, "visits": self.sizes.visits},
        )
        self.counts["visits"] = cursor.rowcount
        # 1–3 businesses of the visited village: number the mentored villages' businesses and
        # join (set-based; a lookup per visit depends on the planner's estimates).
        cursor.execute(
            """
            INSERT INTO assistance_visit_businesses (visit_id, business_id)
            SELECT v.id, b.id
            FROM assistance_visit v
            JOIN (
                SELECT b.id, b.village_id,
                       row_number() OVER (PARTITION BY b.village_id ORDER BY b.id) AS rn,
                       count(*) OVER (PARTITION BY b.village_id) AS n
                FROM businesses_business b JOIN gen_assigned a ON a.village_id = b.village_id
            ) b ON b.village_id = v.village_id
             AND (b.rn - 1 - v.id % b.n + b.n) % b.n < 1 + v.id % 3
            """
        )

    def cooperatives(self, cursor) -> None:
        cursor.execute(
            """
            INSERT INTO cooperatives_cooperative (
                version, name, registry_number, legal_entity_number, legal_entity_date, type,
                address, chair_name, contact_phone, members_male, members_female, is_active,
                last_rat_year, last_rat_date, health_rating, created_at, district_id, village_id)
            SELECT 1, 'Koperasi ' || (%(word)s::text[])[1 + g %% %(nword)s] || ' '
                      || (%(word)s::text[])[1 + (g / %(nword)s) %% %(nword)s],
                   v.nik_area || lpad(g::text, 10, '0'),
                   'AHU-' || lpad(g::text, 7, '0') || '.AH.01.26.Tahun 2020',
                   DATE '2015-01-01' + g %% 3000,
                   (ARRAY['simpan_pinjam','konsumen','produsen','pemasaran','jasa'])[1 + g %% 5],
                   '', (%(first)s::text[])[1 + g %% %(nfirst)s] || ' Ketua',
                   '', 10 + g %% 90, 10 + g %% 70, g %% 10 <> 0,
                   CASE WHEN g %% 4 <> 0 THEN %(year)s - g %% 3 END,
                   CASE WHEN g %% 4 <> 0 THEN make_date(%(year)s - g %% 3, 3, 1 + g %% 28) END,
                   (ARRAY['sehat','cukup_sehat','dalam_pengawasan',''])[1 + g %% 4],
                   now(), v.district_id, v.id
            FROM generate_series(1, %(cooperatives)s) g
            JOIN gen_village v ON v.n = 1 + (g::bigint * 7919) %% %(villages)s
            """,
            {
                "word": NAME_WORDS,
                "nword": len(NAME_WORDS),
                "first": FIRST_NAMES,
                "nfirst": len(FIRST_NAMES),
                "year": self.today.year,
                "cooperatives": self.sizes.cooperatives,
                "villages": self.villages,
            },
        )
        self.counts["cooperatives"] = cursor.rowcount

    def activities(self, cursor) -> None:
        # Activities are coded at the sub-kegiatan level (six parts, see DOMAIN.md).
        cursor.execute(
            """
            CREATE TEMP TABLE gen_sipd ON COMMIT DROP AS
            SELECT id, row_number() OVER (ORDER BY code)::int AS n FROM cooperatives_sipdcode
            WHERE is_active AND cardinality(string_to_array(code, '.')) = 6
            """
        )
        titles = [title for _kind, title in ACTIVITY_TITLES]
        kinds = [kind for kind, _title in ACTIVITY_TITLES]
        cursor.execute(
            """
            INSERT INTO cooperatives_activity (
                version, title, kind, fiscal_year, budget_ceiling, realised, status, start_date,
                end_date, organiser, outcome, created_at, created_by_id, district_id, village_id,
                sipd_id)
            SELECT 1, (%(titles)s::text[])[1 + g %% %(n)s], (%(kinds)s::text[])[1 + g %% %(n)s],
                   y, ceiling, CASE WHEN held THEN ceiling * (70 + g %% 31) / 100 ELSE 0 END,
                   CASE WHEN held THEN 'terlaksana' WHEN g %% 17 = 0 THEN 'batal'
                        ELSE 'rencana' END,
                   make_date(y, 1 + g %% 12, 1 + g %% 28), NULL,
                   (ARRAY['dinkop','kecamatan','tp_pkk'])[1 + g %% 3], '', now(), %(staff)s,
                   v.district_id, NULL, s.id
            FROM (
                SELECT g, %(year)s - g %% 4 AS y, 5000000 * (1 + g %% 20)::bigint AS ceiling,
                       (g %% 4 <> 0 OR g %% 12 < 8) AND g %% 17 <> 0 AS held
                FROM generate_series(1, %(activities)s) g
            ) a
            JOIN gen_village v ON v.n = 1 + (g::bigint * 104729) %% %(villages)s
            JOIN gen_sipd s ON s.n = 1 + g %% (SELECT count(*) FROM gen_sipd)
            """,
            {
                "titles": titles,
                "kinds": kinds,
                "n": len(titles),
                "year": self.today.year,
                "activities": self.sizes.activities,
                "staff": self.staff_id,
                "villages": self.villages,
            },
        )
        self.counts["activities"] = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO cooperatives_participation (attendees_male, attendees_female,
                                                    activity_id, cooperative_id, business_id)
            SELECT 5 + a.id % 20, 5 + a.id % 25, a.id, c.id, NULL
            FROM cooperatives_activity a
            JOIN (
                SELECT id, district_id,
                       row_number() OVER (PARTITION BY district_id ORDER BY id) AS rn
                FROM cooperatives_cooperative
            ) c ON c.district_id = a.district_id AND c.rn <= 2
            """
        )
