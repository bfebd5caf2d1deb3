"""The one source of the programme's figures, for a period and an area.

Every figure is an aggregate query over querysets scoped by the one scoping method
(`visible_to(user)`), so the dashboard, its spreadsheet and the PDF report show the same numbers
to the same user. Nothing here loops over cases in Python.
"""

import calendar
import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import (
    ACTIVE_STATUSES,
    Case,
    CaseEvent,
    Service,
    Status,
    Visit,
    has_verification,
    records_to_verify,
    stalled_cutoff,
)
from assistance.workdays import HALAL_STANDARD_WORKING_DAYS, working_days
from businesses.models import Business, Scale
from cooperatives.models import Activity, ActivityStatus, Participation, SipdCode
from villages.access import VIEW_ALL, in_editable_area
from villages.models import District, KecamatanViewer, Village

from .models import ServiceTarget, YearTarget

MONTHS = [
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
QUARTERS = ["", "I", "II", "III", "IV"]
MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str
    code: str

    @property
    def year(self) -> int | None:
        """The programme year whose targets apply: only when the period lies within one year."""
        return self.start.year if self.start.year == self.end.year else None

    @property
    def whole_year(self) -> bool:
        return (self.start, self.end) == (
            date(self.start.year, 1, 1),
            date(self.start.year, 12, 31),
        )


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(_("Tahun %(year)s di luar jangkauan.") % {"year": text})
    return year


def parse_period(text: str) -> Period:
    """'2026', '2026-Q3' (triwulan), '2026-11' (month) or '2026-01-01..2026-03-31'."""
    text = (text or "").strip().upper()
    accepted = _(
        "Periode '%(text)s' tidak dikenal. Tulis tahun (2026), triwulan (2026-Q3), bulan "
        "(2026-11), atau dua tanggal (2026-01-01..2026-03-31)."
    ) % {"text": text[:40]}
    if match := re.fullmatch(r"(\d{4})", text):
        year = _year(match[1])
        return Period(date(year, 1, 1), date(year, 12, 31), _("Tahun %(y)s") % {"y": year}, text)
    if match := re.fullmatch(r"(\d{4})-Q(\d)", text):
        year, quarter = _year(match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            raise PeriodError(_("Triwulan %(q)s tidak ada: pilih Q1 sampai Q4.") % {"q": match[2]})
        first = 3 * quarter - 2
        last = date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        label = _("Triwulan %(q)s %(y)s") % {"q": QUARTERS[quarter], "y": year}
        return Period(date(year, first, 1), last, label, text)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = _year(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("Bulan %(m)s tidak ada: pilih 01 sampai 12.") % {"m": match[2]})
        last = date(year, month, calendar.monthrange(year, month)[1])
        return Period(date(year, month, 1), last, f"{MONTHS[month]} {year}", text)
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        try:
            start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError:
            raise PeriodError(accepted) from None
        _year(str(start.year)), _year(str(end.year))
        if end < start:
            raise PeriodError(_("Tanggal akhir periode sebelum tanggal awalnya."))
        label = f"{indonesian_date(start)} – {indonesian_date(end)}"
        return Period(start, end, label, text)
    raise PeriodError(accepted)


def indonesian_date(day: date) -> str:
    """'24 November 2026', whatever the active language (reports are in Indonesian)."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


@dataclass(frozen=True)
class Area:
    """The regency (both None), one kecamatan, or one village (with its kecamatan)."""

    district: District | None = None
    village: Village | None = None

    @property
    def label(self) -> str:
        if self.village:
            return f"{self.village.title}, " + _("Kec. %(name)s") % {
                "name": self.village.district.name
            }
        if self.district:
            return _("Kecamatan %(name)s") % {"name": self.district.name}
        return ""

    def filter(self, queryset: QuerySet, village_path: str) -> QuerySet:
        if self.village:
            return queryset.filter(**{village_path: self.village})
        if self.district:
            return queryset.filter(**{f"{village_path}__district": self.district})
        # The regency: its own villages, as its breakdown by kecamatan shows (a database that
        # also holds other regencies, or the whole country, must not leak them into its totals).
        # A subquery of ~300 villages, so the counts start from the regency, not the country.
        return queryset.filter(**{f"{village_path}__in": Village.objects.in_home_regency()})


@dataclass
class ServiceRow:
    service: Service
    opened: int = 0
    active: int = 0
    submitted: int = 0
    done: int = 0
    closed: int = 0
    stalled: int = 0
    target: int | None = None
    median_days: float | None = None
    verified: int = 0  # done and its outcome verified (NIB, PIRT, halal: see Case.verify_outcome)

    @property
    def achieved(self) -> float | None:
        """Capaian: done against the target, in percent (None without a target)."""
        if not self.target:
            return None
        return 100 * self.done / self.target

    @property
    def reviewed(self) -> bool:
        """Whether the service's outcomes are verified against a certificate."""
        return self.service is not None and self.service.code in Case.LEGAL_FIELDS

    @property
    def awaiting_review(self) -> int:
        return self.done - self.verified

    @property
    def verified_achieved(self) -> float | None:
        """Capaian terverifikasi: verified outcomes against the target."""
        if not self.target or not self.reviewed:
            return None
        return 100 * self.verified / self.target


@dataclass
class AreaRow:
    """One kecamatan or village of the breakdown table."""

    place: District | Village
    opened: int = 0
    active: int = 0
    done: int = 0
    stalled: int = 0


@dataclass
class VerificationRow:
    """Field verification of the SIDT records of one kecamatan or village (or the whole area)."""

    place: District | Village | None
    records: int = 0
    verified: int = 0

    @property
    def unverified(self) -> int:
        return self.records - self.verified

    @property
    def share(self) -> float | None:
        return 100 * self.verified / self.records if self.records else None


@dataclass
class ServiceStandard:
    """Halal cases done in the period, and how many within the 21-working-day standard."""

    done: int = 0
    within: int = 0
    days: int = HALAL_STANDARD_WORKING_DAYS

    @property
    def share(self) -> float | None:
        return 100 * self.within / self.done if self.done else None


@dataclass
class Figures:
    period: Period
    area: Area
    services: list[ServiceRow] = field(default_factory=list)
    places: list[AreaRow] = field(default_factory=list)
    extreme: list[ServiceRow] = field(default_factory=list)
    legalised: int = 0
    mentoring: dict = field(default_factory=dict)
    cooperatives: list[dict] = field(default_factory=list)
    headline: list["Headline"] = field(default_factory=list)
    funnel_service: Service | None = None
    funnel: list[tuple[str, int]] = field(default_factory=list)
    monthly: list[tuple[str, int]] = field(default_factory=list)
    scales: list[tuple[str, int]] = field(default_factory=list)
    verification: list[VerificationRow] = field(default_factory=list)
    verification_total: VerificationRow | None = None
    halal_standard: ServiceStandard | None = None

    @property
    def reviewed_services(self) -> list[ServiceRow]:
        return [row for row in self.services if row.reviewed]

    @property
    def total(self) -> ServiceRow:
        row = ServiceRow(service=None)
        for name in ("opened", "active", "submitted", "done", "closed", "stalled"):
            setattr(row, name, sum(getattr(s, name) for s in self.services))
        targets = [s.target for s in self.services if s.target is not None]
        row.target = sum(targets) if targets else None
        return row

    @property
    def is_empty(self) -> bool:
        """Nothing happened in the period (the running and stalled counts are today's state of
        the cases opened by its end, so they are not activity of the period)."""
        total = self.total
        return not (total.opened or total.done or total.closed)


def _case_counts(period: Period) -> dict:
    """The aggregates of one group of cases (see ServiceRow for their meaning)."""
    within = Q(closed_on__range=(period.start, period.end))
    started = Q(opened_on__lte=period.end)
    return {
        "opened": Count("pk", filter=Q(opened_on__range=(period.start, period.end))),
        "active": Count("pk", filter=started & Q(status__in=[Status.OPEN, Status.IN_PROGRESS])),
        "submitted": Count("pk", filter=started & Q(status=Status.SUBMITTED)),
        "done": Count("pk", filter=within & Q(status=Status.DONE)),
        "verified": Count(
            "pk", filter=within & Q(status=Status.DONE, outcome_verified_at__isnull=False)
        ),
        "closed": Count("pk", filter=within & Q(status__in=[Status.REJECTED, Status.CANCELLED])),
        "stalled": Count(
            "pk",
            filter=started & Q(status__in=ACTIVE_STATUSES, last_activity_at__lt=stalled_cutoff()),
        ),
    }


def sees_whole_area(user, area: Area) -> bool:
    """Whether the user's view of `area` is all of it: regency-wide users everywhere, a camat
    or TP PKK their kecamatan and its villages, a mentor their own villages. Targets and the
    PDF report apply only then (a partial count set against a whole-area target misleads)."""
    if user.has_perm(VIEW_ALL):
        return True
    if area.village:
        return Village.objects.visible_to(user).filter(pk=area.village.pk).exists() and (
            KecamatanViewer.objects.filter(user=user, district=area.village.district).exists()
            or in_editable_area(area.village, user)
        )
    if area.district:
        return KecamatanViewer.objects.filter(user=user, district=area.district).exists()
    return False


def scoped_cases(user, area: Area) -> QuerySet:
    return area.filter(Case.objects.visible_to(user), "business__village")


def service_rows(
    user, period: Period, area: Area, extreme_poverty: bool = False, medians: bool = False
) -> list[ServiceRow]:
    """Per service: opened, active, submitted, done, rejected/cancelled, stalled, target.
    `extreme_poverty` keeps the extreme-poverty villages only (no targets apply); `medians`
    adds the median days to done (PostgreSQL; compute() fills them in on SQLite)."""
    cases = scoped_cases(user, area)
    if extreme_poverty:
        cases = cases.filter(business__village__extreme_poverty_year__isnull=False)
    aggregates = _case_counts(period)
    if medians and connection.vendor == "postgresql":
        # The median in the same pass over the area's cases (SQLite: _median_days).
        aggregates["median_days"] = _MedianDays(_days_open(), filter=_done_in(period))
    counts = {
        row.pop("service"): row for row in cases.order_by().values("service").annotate(**aggregates)
    }
    targets = {}
    if period.year and not area.village and not extreme_poverty and sees_whole_area(user, area):
        targets = dict(
            ServiceTarget.objects.filter(
                year_target__year=period.year, district=area.district
            ).values_list("service", "cases_done")
        )
    return [
        ServiceRow(service=service, target=targets.get(service.pk), **counts.get(service.pk, {}))
        for service in Service.objects.order_by("order", "name")
    ]


def place_rows(user, period: Period, area: Area) -> list[AreaRow]:
    """The regency by kecamatan, or a kecamatan by village (a village has no breakdown)."""
    if area.village:
        return []
    places, group = _breakdown(user, area)
    group = f"business__{group}"
    counts = _case_counts(period)
    del counts["submitted"], counts["closed"], counts["verified"]
    grouped = {
        row.pop(group): row
        for row in scoped_cases(user, area).order_by().values(group).annotate(**counts)
    }
    return [AreaRow(place=place, **grouped.get(place.pk, {})) for place in places.order_by("name")]


def _breakdown(user, area: Area) -> tuple[QuerySet, str]:
    """The places an area is broken down into (a kecamatan's villages, the regency's kecamatan)
    and the path from a business to them."""
    if area.district:
        return Village.objects.visible_to(user).filter(district=area.district), "village"
    return District.objects.visible_to(user).in_home_regency(), "village__district"


def verification_rows(user, area: Area) -> tuple[list[VerificationRow], VerificationRow]:
    """Field verification of the area's SIDT records, as it stands today: per kecamatan or per
    village and in total. One grouped count over the area's records, each checked for a
    verification through its (business, created_at) index."""
    records = records_to_verify(area.filter(Business.objects.visible_to(user), "village"))
    counts = {"records": Count("pk"), "verified": Count("pk", filter=Q(has_verification()))}
    if area.village:
        total = VerificationRow(place=area.village, **records.aggregate(**counts))
        return [], total
    places, group = _breakdown(user, area)
    grouped = {row.pop(group): row for row in records.order_by().values(group).annotate(**counts)}
    rows = [
        VerificationRow(place=place, **grouped.get(place.pk, {}))
        for place in places.order_by("name")
    ]
    total = VerificationRow(
        place=None,
        records=sum(row.records for row in rows),
        verified=sum(row.verified for row in rows),
    )
    return rows, total


def halal_standard(user, period: Period, area: Area) -> ServiceStandard:
    """Halal cases done in the period within the service standard, counted from submission
    (opening, for a case without a submission date) to closing. The cases are grouped by their
    two dates in the database; only the distinct pairs are counted in working days here."""
    pairs = (
        scoped_cases(user, area)
        .filter(_done_in(period), service__code="halal")
        .annotate(start=Coalesce("submitted_on", "opened_on"))
        .order_by()
        .values_list("start", "closed_on")
        .annotate(n=Count("pk"))
    )
    result = ServiceStandard()
    for start, closed, n in pairs:
        result.done += n
        if working_days(start, closed) <= result.days:
            result.within += n
    return result


class _MedianDays(Aggregate):
    """PostgreSQL's median of the days from opening to closing."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()


def _done_in(period: Period) -> Q:
    return Q(status=Status.DONE, closed_on__range=(period.start, period.end))


def _days_open() -> Func:
    """Days from opening to closing, as PostgreSQL subtracts two dates."""
    return Func(
        F("closed_on"),
        F("opened_on"),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _median_days(cases: QuerySet, period: Period) -> dict[int, float]:
    """Median days from opening to done per service, for cases done in the period: fetched and
    computed here on SQLite (development), which has no percentile; PostgreSQL computes it
    with the service rows."""
    durations: dict[int, list[int]] = {}
    done = cases.filter(_done_in(period))
    for service, opened, closed in done.values_list("service", "opened_on", "closed_on"):
        durations.setdefault(service, []).append((closed - opened).days)
    return {service: float(statistics.median(days)) for service, days in durations.items()}


def funnel(user, period: Period, area: Area, service: Service) -> list[tuple[str, int]]:
    """How many of the service's cases (opened by the period's end) have reached each step;
    submitted and done cases have passed every step."""
    cases = scoped_cases(user, area).filter(service=service, opened_on__lte=period.end)
    # One pass: the running cases per step, and those beyond every step (in any group).
    at, beyond = {}, 0
    for step, running, passed in (
        cases.order_by()
        .values("step")
        .annotate(
            running=Count("pk", filter=Q(status__in=[Status.OPEN, Status.IN_PROGRESS])),
            passed=Count("pk", filter=Q(status__in=[Status.SUBMITTED, Status.DONE])),
        )
        .values_list("step", "running", "passed")
    ):
        if step is not None:
            at[step] = running
        beyond += passed
    steps = list(service.steps.order_by("order"))
    reached, rows = beyond, []
    for step in reversed(steps):
        reached += at.get(step.pk, 0)
        rows.append((f"{step.order}. {step.name}", reached))
    return list(reversed(rows))


def done_per_month(user, period: Period, area: Area) -> list[tuple[str, int]]:
    """Cases done in each month of the period."""
    counts = {
        (month.year, month.month): n
        for month, n in scoped_cases(user, area)
        .filter(status=Status.DONE, closed_on__range=(period.start, period.end))
        .annotate(month=TruncMonth("closed_on"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    }
    rows, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        rows.append((f"{MONTHS[month][:3]} {year}", counts.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def legalised_businesses(user, period: Period, area: Area) -> int:
    """Businesses that got an NIB, PIRT or halal certificate through a case closed as done in
    the period."""
    return (
        scoped_cases(user, area)
        .filter(
            status=Status.DONE,
            service__code__in=Case.LEGAL_FIELDS,
            closed_on__range=(period.start, period.end),
        )
        .values("business")
        .distinct()
        .count()
    )


def scale_counts(user, area: Area) -> list[tuple[str, int]]:
    """The area's businesses by PP 7/2021 scale, as the registry stands today (not the
    period's): one count over the (village, scale) index of the area's villages."""
    businesses = area.filter(Business.objects.visible_to(user), "village")
    counts = dict(
        businesses.order_by().values("scale").annotate(n=Count("*")).values_list("scale", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Scale.choices]


def mentoring(user, period: Period, area: Area) -> dict:
    """Mentors' work in the period: visits, villages visited, mentors visiting, case moves."""
    visits = area.filter(Visit.objects.visible_to(user), "village").filter(
        date__range=(period.start, period.end)
    )
    figures = visits.aggregate(
        visits=Count("pk"),
        villages=Count("village", distinct=True),
        mentors=Count("mentor", distinct=True),
    )
    # A time range on `at` (not `at__date`) is an index condition on (case, at); a case whose
    # last activity predates the period has no event in it, which the case index already knows.
    zone = timezone.get_current_timezone()
    moves = area.filter(CaseEvent.objects.visible_to(user), "case__business__village").filter(
        kind__in=["step", "status"],
        case__last_activity_at__gte=datetime.combine(period.start, time.min, zone),
        at__gte=datetime.combine(period.start, time.min, zone),
        at__lt=datetime.combine(period.end + timedelta(days=1), time.min, zone),
    )
    figures["moves"] = moves.count()
    return figures


def cooperative_rows(user, period: Period, area: Area) -> list[dict]:
    """Activities that started in the period per SIPD sub-kegiatan: count, held, participants
    by gender, ceiling, realised and absorption (cancelled activities left out)."""
    if area.village:
        return []
    activities = Activity.objects.visible_to(user).filter(
        start_date__range=(period.start, period.end)
    )
    if area.district:
        activities = activities.filter(district=area.district)
    else:
        activities = activities.filter(district__in=District.objects.in_home_regency())
    activities = activities.exclude(status=ActivityStatus.CANCELLED)
    rows = list(
        activities.values("sipd__code")
        .annotate(
            count=Count("pk"),
            held=Count("pk", filter=Q(status=ActivityStatus.HELD)),
            ceiling=Sum("budget_ceiling"),
            realised=Sum("realised"),
        )
        .order_by("sipd__code")
    )
    people = {
        row["activity__sipd__code"]: row
        for row in Participation.objects.filter(activity__in=activities)
        .values("activity__sipd__code")
        .annotate(male=Sum("attendees_male"), female=Sum("attendees_female"))
        .order_by()
    }
    names = dict(
        SipdCode.objects.filter(code__in=[r["sipd__code"] for r in rows]).values_list(
            "code", "name"
        )
    )
    for row in rows:
        row["name"] = names.get(row["sipd__code"], "")
        row["male"] = (people.get(row["sipd__code"]) or {}).get("male") or 0
        row["female"] = (people.get(row["sipd__code"]) or {}).get("female") or 0
        ceiling = row["ceiling"] or 0
        row["absorbed"] = 100 * (row["realised"] or 0) / ceiling if ceiling else None
    return rows


@dataclass
class Headline:
    """One of the year's headline indicators: realised against its target."""

    label: str
    realised: float
    target: float | None
    unit: str = ""

    @property
    def achieved(self) -> float | None:
        return 100 * self.realised / self.target if self.target else None


def headline(user, result: Figures) -> list[Headline]:
    """The year's headline targets (the regency's; none for a kecamatan or a village, nor for a
    period across years) against what the period's figures show."""
    target = None
    if result.period.year and not result.area.district and sees_whole_area(user, result.area):
        target = YearTarget.objects.filter(year=result.period.year).first()
    months = (
        (result.period.end.year - result.period.start.year) * 12
        + result.period.end.month
        - result.period.start.month
        + 1
    )
    visits = result.mentoring.get("visits", 0)
    mentors = result.mentoring.get("mentors", 0)
    activities = sum(row["count"] for row in result.cooperatives)
    participants = sum(row["male"] + row["female"] for row in result.cooperatives)
    ceiling = sum(row["ceiling"] or 0 for row in result.cooperatives)
    realised = sum(row["realised"] or 0 for row in result.cooperatives)

    def wanted(name: str):
        return getattr(target, name) if target else None

    return [
        Headline(
            _("Desa yang dikunjungi Patriot Desa"),
            result.mentoring.get("villages", 0),
            wanted("villages_mentored"),
        ),
        Headline(
            _("Kunjungan per Patriot Desa per bulan"),
            round(visits / mentors / months, 1) if mentors else 0,
            wanted("visits_per_mentor_month"),
        ),
        Headline(_("Kegiatan koperasi"), activities, wanted("cooperative_activities")),
        Headline(_("Peserta kegiatan koperasi"), participants, wanted("cooperative_participants")),
        Headline(
            _("Serapan anggaran koperasi"),
            round(100 * realised / ceiling, 1) if ceiling else 0,
            wanted("budget_absorption"),
            unit="%",
        ),
    ]


def compute(
    user, period: Period, area: Area, *, full: bool = False, service: Service | None = None
) -> Figures:
    """The dashboard's figures; `full` adds the report's further sections, `service` the
    funnel of that service's steps (default: the first service)."""
    result = Figures(
        period=period,
        area=area,
        services=service_rows(user, period, area, medians=True),
        places=place_rows(user, period, area),
    )
    if connection.vendor != "postgresql":
        medians = _median_days(scoped_cases(user, area), period)
        for row in result.services:
            row.median_days = medians.get(row.service.pk)
    if full:
        result.funnel_service = service or (result.services[0].service if result.services else None)
        if result.funnel_service:
            result.funnel = funnel(user, period, area, result.funnel_service)
        result.monthly = done_per_month(user, period, area)
        result.extreme = service_rows(user, period, area, extreme_poverty=True)
        result.legalised = legalised_businesses(user, period, area)
        result.scales = scale_counts(user, area)
        result.verification, result.verification_total = verification_rows(user, area)
        result.halal_standard = halal_standard(user, period, area)
        result.mentoring = mentoring(user, period, area)
        result.cooperatives = cooperative_rows(user, period, area)
        result.headline = headline(user, result)
    return result
