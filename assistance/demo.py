"""Demo facilitation cases at every stage, with back-dated timelines, some of them stalled.

Built through the case's own actions (move_to_step, move_to), so the demo obeys the same rules
as the application. Idempotent: businesses that already have cases are left alone.
"""

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from businesses.models import Business, Sector
from villages.models import Assignment

from .models import Case, CaseEvent, Service, Status, Visit

# A script: how many steps to take, then which statuses to move through.
SCRIPTS = [
    (0, []),  # just opened
    (1, []),
    (2, []),
    ("all", [Status.SUBMITTED]),
    ("all", [Status.SUBMITTED, Status.DONE]),
    ("all", [Status.SUBMITTED, Status.REJECTED]),
    (1, [Status.CANCELLED]),
]


def play(case: Case, script, user, start, rng: random.Random) -> None:
    steps, statuses = script
    moment = start
    events = [CaseEvent(case=case, kind=CaseEvent.Kind.CREATED, by=user, at=moment)]
    count = len(case.steps) - 1 if steps == "all" else steps
    for _ in range(count):
        events.append(case.move_to_step(case.next_step, by=user))
        moment += timedelta(days=rng.randrange(2, 9))
        events[-1].at = moment
    for status in statuses:
        if status == Status.SUBMITTED and case.status == Status.OPEN:
            events.append(case.move_to(Status.IN_PROGRESS, by=user))
        outcome = {}
        if status == Status.DONE:
            outcome = {"number": f"{rng.randrange(10**12, 10**13)}", "date": moment.date()}
            if case.service.code == "pirt":
                outcome["number"] = f"2{rng.randrange(10, 99)}3215{rng.randrange(10**5, 10**6)}31"
                outcome["expiry"] = moment.date().replace(year=moment.year + 5)
        reason = "Berkas tidak lengkap" if status in (Status.REJECTED, Status.CANCELLED) else ""
        events.append(case.move_to(status, by=user, reason=reason, outcome=outcome))
        moment += timedelta(days=rng.randrange(3, 12))
        events[-1].at = moment
    # Shift the story back so that it ends in the past (0–30 days ago): some cases stall.
    shift = max(timedelta(0), moment - (timezone.now() - timedelta(days=rng.randrange(0, 30))))
    for event in events:
        event.at -= shift
        # The case's dates follow its story, not the day the demo was seeded.
        day = timezone.localtime(event.at).date()
        if event.to_status == Status.SUBMITTED:
            case.submitted_on = day
        elif event.to_status in (Status.DONE, Status.REJECTED, Status.CANCELLED):
            case.closed_on = day
            if event.to_status == Status.DONE:
                case.outcome_date = day
    case.opened_on = (start - shift).date()
    case.last_activity_at = moment - shift
    case.save()
    CaseEvent.objects.bulk_create(events)


def services_for(business: Business) -> list[str]:
    codes = [] if business.nib_number else ["nib"]
    if business.sector == Sector.FOOD:
        codes += ["halal", "pirt"] if business.nib_number else ["kemasan"]
    if business.sector in (Sector.CRAFT, Sector.FASHION):
        codes.append("pemasaran")
    return codes


@transaction.atomic
def seed(write: Callable[[str], None]) -> None:
    services = {s.code: s for s in Service.objects.all()}
    now = timezone.now()
    created = 0
    assignments = Assignment.objects.select_related("mentor__user", "village")
    for assignment in assignments:
        rng = random.Random(f"cases-{assignment.village.code}")  # noqa: S311 - demo data
        businesses = assignment.village.businesses.filter(cases__isnull=True).order_by("pk")
        for n, business in enumerate(businesses):
            for code in services_for(business):
                case = Case.objects.create(
                    business=business, service=services[code], mentor=assignment.mentor
                )
                script = SCRIPTS[(n + len(code)) % len(SCRIPTS)]
                # Start far enough back that some active cases end up stalled (> 14 days).
                start = now - timedelta(days=rng.randrange(20, 120))
                play(case, script, assignment.mentor.user, start, rng)
                created += 1
    write(f"Kasus demo: {created} baru, {Case.objects.count()} seluruhnya.")


ACTIVITIES = [
    "Mendata usaha baru dan membantu membuat akun OSS.",
    "Mendampingi pengisian data bahan untuk sertifikasi halal.",
    "Memotret produk untuk katalog dan etalase desa.",
    "Diskusi desain label kemasan dengan pemilik usaha.",
    "Pertemuan dengan kepala desa tentang produk OVOP.",
    "Mengecek kelengkapan berkas PIRT.",
]


@transaction.atomic
def seed_visits(write: Callable[[str], None]) -> None:
    """About two visits a month per mentor since their placement began."""
    today = timezone.localdate()
    added = 0
    for assignment in Assignment.objects.select_related("mentor__user", "village"):
        if Visit.objects.filter(mentor=assignment.mentor, village=assignment.village).exists():
            continue
        rng = random.Random(f"visits-{assignment.village.code}")  # noqa: S311 - demo data
        businesses = list(assignment.village.businesses.all())
        day = assignment.start_date + timedelta(days=rng.randrange(3, 10))
        while day <= min(today, assignment.end_date):
            visit = Visit.objects.create(
                mentor=assignment.mentor,
                village=assignment.village,
                date=day,
                activities=rng.choice(ACTIVITIES),
                created_by=assignment.mentor.user,
            )
            visit.businesses.set(rng.sample(businesses, min(rng.randrange(1, 4), len(businesses))))
            added += 1
            day += timedelta(days=rng.randrange(8, 22))
    write(f"Kunjungan demo: {added} baru, {Visit.objects.count()} seluruhnya.")
