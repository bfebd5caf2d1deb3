"""Load test of the production start (`make loadtest`): 50 people at once on the demo data.

The mix follows the office's day: Patriot Desa on their phones open "Tugas saya", open cases,
move them a step and add notes (several people share each demo mentor account, so they move the
same cases at the same moment); Dinkop staff filter the lists and open the dashboard; one PDF
report is asked for every minute; the public browses the showcase.

Every step move carries a note unique to that request. `check_moves.py` afterwards finds, for
every move the server answered 200, exactly one timeline entry with its note, and for every 409
none: a move lands once or is refused, never lost or doubled. The answers are written to
LOADTEST_MOVES (a JSON file) when the run stops.
"""

import json
import os
import random
import re
import uuid

import gevent
from locust import HttpUser, between, constant_pacing, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo-karawang")
RUN = uuid.uuid4().hex[:8]
MOVES: list[dict] = []  # one entry per step move: its note, the case and the answer's status

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/pendampingan/(\d+)/"')
BUSINESS_LINK = re.compile(r'href="/usaha/(\d+)/"')
STEP_FORM = re.compile(r'<form[^>]*id="step-form".*?</form>', re.S)
VERSION = re.compile(r'name="version" value="(\d+)"')
OPTION = re.compile(r'<option value="(\d+)"( selected)?')
DISTRICT_LINK = re.compile(r'href="/etalase/kecamatan/([\d.]+)/"')


class Person(HttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/akun/masuk/", name="masuk (form)")
        self.client.post(
            "/akun/masuk/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": CSRF.search(page.text)[1],
            },
            name="masuk",
        )

    def token(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def htmx_post(self, url: str, data: dict, name: str, **kwargs):
        headers = {"HX-Request": "true", "X-CSRFToken": self.token()}
        return self.client.post(url, data, headers=headers, name=name, **kwargs)


class Mentor(Person):
    """Three people per demo mentor account: their moves meet on the same cases."""

    weight = 25
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.username = f"patriot{random.randint(1, 8):02d}"
        super().on_start()
        self.cases: list[str] = []

    @task(4)
    def my_tasks(self) -> None:
        page = self.client.get("/pendampingan/tugas-saya/", name="tugas saya")
        # The top of the list: the people sharing an account work on the same few cases.
        self.cases = CASE_LINK.findall(page.text)[:3] or self.cases

    @task(3)
    def open_case(self) -> None:
        if self.cases:
            self.client.get(f"/pendampingan/{random.choice(self.cases)}/", name="detail kasus")

    @task(3)
    def move_case(self) -> None:
        if not self.cases:
            return
        pk = random.choice(self.cases)
        page = self.client.get(f"/pendampingan/{pk}/", name="detail kasus")
        form = STEP_FORM.search(page.text)
        if not form:
            return  # done or closed: no step form
        version = VERSION.search(form[0])[1]
        options = OPTION.findall(form[0])
        # The preselected next step, or back to the first one from the last step.
        step = next((value for value, chosen in options if chosen), options[0][0])
        note = f"uji beban {RUN} {uuid.uuid4().hex}"
        gevent.sleep(random.uniform(1, 4))  # reading the page before pressing the button
        with self.htmx_post(
            f"/pendampingan/{pk}/tahap/",
            {"version": version, "step": step, "note": note},
            name="pindah tahap",
            catch_response=True,
        ) as answer:
            MOVES.append({"case": int(pk), "note": note, "status": answer.status_code})
            if answer.status_code in (200, 409):
                answer.success()  # 409: someone moved it first; the page says so

    @task(2)
    def add_note(self) -> None:
        if self.cases:
            pk = random.choice(self.cases)
            self.htmx_post(
                f"/pendampingan/{pk}/catatan/", {"text": "Kunjungan lanjutan."}, "catatan kasus"
            )

    @task(1)
    def businesses(self) -> None:
        self.client.get("/usaha/", name="daftar usaha")


class Staff(Person):
    weight = 15
    wait_time = between(3, 8)
    username = "dinkop"

    @task(3)
    def business_list(self) -> None:
        query = random.choice(
            [{}, {"sektor": "makanan"}, {"legalitas": "nib"}, {"q": random.choice("abkms")}]
        )
        page = self.client.get("/usaha/", params=query, name="daftar usaha (filter)")
        ids = BUSINESS_LINK.findall(page.text)
        if ids:
            self.client.get(f"/usaha/{random.choice(ids)}/", name="detail usaha")

    @task(2)
    def case_list(self) -> None:
        query = random.choice([{}, {"layanan": "halal", "status": "open"}, {"status": "done"}])
        self.client.get("/pendampingan/", params=query, name="daftar kasus (filter)")

    @task(2)
    def board(self) -> None:
        code = random.choice(["nib", "halal", "pirt"])
        self.client.get(f"/pendampingan/papan/{code}/", name="papan layanan")

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/laporan/", name="dasbor laporan")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="beranda staf")


class Reporter(Person):
    """The one PDF a minute: queued for the worker, never drawn in the request."""

    fixed_count = 1
    wait_time = constant_pacing(60)
    username = "dinkop"

    @task
    def pdf(self) -> None:
        page = self.client.get("/laporan/", name="dasbor laporan")
        answer = self.client.post(
            "/laporan/pdf/",
            {"periode": "2026", "csrfmiddlewaretoken": CSRF.search(page.text)[1]},
            name="minta PDF",
        )
        answer.raise_for_status()


class Public(HttpUser):
    weight = 9
    wait_time = between(2, 6)

    @task(2)
    def showcase(self) -> None:
        page = self.client.get("/etalase/", name="etalase publik")
        codes = DISTRICT_LINK.findall(page.text)
        if codes:
            self.client.get(f"/etalase/kecamatan/{random.choice(codes)}/", name="etalase kecamatan")


# Signing in hashes the password on purpose slowly (PBKDF2): it is timed, but not held to the bar.
NOT_HELD = {"masuk"}
P95_BAR_MS = int(os.environ.get("LOADTEST_P95_MS", "300"))


@events.test_stop.add_listener
def write_moves(environment, **kwargs) -> None:
    path = os.environ.get("LOADTEST_MOVES")
    if path:
        with open(path, "w") as out:
            json.dump({"run": RUN, "moves": MOVES}, out)


@events.quitting.add_listener
def summary(environment, **kwargs) -> None:
    """Requests, failures, p50 and p95 per page; exit 1 on a failure or a page over the bar."""
    stats = environment.stats
    print(f"\n{'halaman':28} {'metode':6} {'permintaan':>10} {'gagal':>6} {'p50':>7} {'p95':>7}")
    over = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        p50, p95 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95))
        mark = ""
        if entry.name not in NOT_HELD and p95 > P95_BAR_MS:
            over.append(entry.name)
            mark = f"  > {P95_BAR_MS} ms"
        elif entry.name in NOT_HELD:
            mark = "  (hash kata sandi, tidak diukur terhadap batas)"
        print(
            f"{entry.name:28} {entry.method:6} {entry.num_requests:>10} {entry.num_failures:>6} "
            f"{p50:>5.0f}ms {p95:>5.0f}ms{mark}"
        )
    total = stats.total
    print(
        f"{'jumlah':35} {total.num_requests:>10} {total.num_failures:>6} "
        f"{total.get_response_time_percentile(0.5):>5.0f}ms "
        f"{total.get_response_time_percentile(0.95):>5.0f}ms  "
        f"({total.total_rps:.1f} permintaan/detik)"
    )
    if total.num_failures or over:
        environment.process_exit_code = 1
        print(f"GAGAL: {total.num_failures} permintaan gagal; p95 di atas batas: {over or '-'}")
    else:
        print(f"LULUS: 0 permintaan gagal, p95 setiap halaman <= {P95_BAR_MS} ms")
