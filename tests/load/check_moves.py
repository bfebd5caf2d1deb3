"""After `make loadtest`: did every step move land exactly once, or get a 409 and land never?

Reads the moves the load test wrote (LOADTEST_MOVES) and the timeline the server stored; prints
the tally and exits 1 on a lost, doubled or unexpected move. Run with the load test's settings:
    python tests/load/check_moves.py moves.json
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "karawang_umkm.settings")


def main(path: str) -> int:
    import django

    django.setup()
    from assistance.models import CaseEvent

    run = json.loads(Path(path).read_text())
    stored = Counter(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.STEP, text__contains=f"uji beban {run['run']} "
        )
        .values_list("text", flat=True)
        .iterator()
    )
    answers = Counter(move["status"] for move in run["moves"])
    wrong = []
    for move in run["moves"]:
        expected = 1 if move["status"] == 200 else 0
        if stored[move["note"]] != expected:
            wrong.append(f"kasus {move['case']}: jawaban {move['status']}, {stored[move['note']]}x")
        if move["status"] not in (200, 409):
            wrong.append(f"kasus {move['case']}: jawaban tak terduga {move['status']}")
    print(
        f"pindah tahap: {len(run['moves'])} permintaan, {answers[200]} tersimpan (200), "
        f"{answers[409]} bentrok (409), {sum(stored.values())} entri linimasa"
    )
    for line in wrong:
        print("  SALAH:", line)
    print("tidak ada perubahan yang hilang atau ganda" if not wrong else f"{len(wrong)} salah")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
