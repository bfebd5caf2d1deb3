"""Working days for service standards: Monday to Friday, less Indonesia's national holidays.

The halal self-declare service standard is 21 working days (DOMAIN.md), counted here from the
day the application was submitted to the day the case closed.

HOLIDAYS is a small list kept in code: the national holidays (libur nasional) of the SKB of the
three ministers for 2025 and 2026, and for 2027 only the fixed-date ones (the religious holidays
of 2027 are set by an SKB published in late 2026: add them then). Collective leave (cuti bersama)
is not included: it is leave, and the issuing offices do not all close. A date outside the list's
years counts weekends only.
"""

from bisect import bisect_right
from datetime import date, timedelta

HALAL_STANDARD_WORKING_DAYS = 21

HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        # 2025
        "2025-01-01",
        "2025-01-27",
        "2025-01-29",
        "2025-03-29",
        "2025-03-31",
        "2025-04-01",
        "2025-04-18",
        "2025-04-20",
        "2025-05-01",
        "2025-05-12",
        "2025-05-29",
        "2025-06-01",
        "2025-06-06",
        "2025-06-27",
        "2025-08-17",
        "2025-09-05",
        "2025-12-25",
        # 2026 (SKB 1497/2025, 2/2025, 5/2025)
        "2026-01-01",
        "2026-01-16",
        "2026-02-17",
        "2026-03-19",
        "2026-03-21",
        "2026-03-22",
        "2026-04-03",
        "2026-04-05",
        "2026-05-01",
        "2026-05-14",
        "2026-05-27",
        "2026-05-31",
        "2026-06-01",
        "2026-06-16",
        "2026-08-17",
        "2026-08-25",
        "2026-12-25",
        # 2027: fixed-date holidays only (see above)
        "2027-01-01",
        "2027-05-01",
        "2027-06-01",
        "2027-08-17",
        "2027-12-25",
    )
)
# Only holidays on a weekday take a working day away.
_WEEKDAY_HOLIDAYS = sorted(day for day in HOLIDAYS if day.weekday() < 5)


def working_days(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (submitted on a Monday and issued
    on the Tuesday is one working day); 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = 5 * weeks  # every seven consecutive days hold five weekdays
    block_end = start + timedelta(days=7 * weeks)
    count += sum(1 for n in range(1, rest + 1) if (block_end + timedelta(days=n)).weekday() < 5)
    return count - (bisect_right(_WEEKDAY_HOLIDAYS, end) - bisect_right(_WEEKDAY_HOLIDAYS, start))
