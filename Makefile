# Karawang UMKM: `make run` sets everything up and serves; `make test` sets up and tests.
# DATABASE_URL unset means an SQLite file (db.sqlite3); set it for PostgreSQL.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Local development and tests run with DEBUG on; production sets DEBUG=0 and real secrets.
export DEBUG ?= 1

.PHONY: run serve serve-prepare loadtest setup test lint lock clean bench bench-report bench-import bench-sidt

$(BIN)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12+ is required")'
	@# WeasyPrint draws text with Pango (a system library); install it where it is missing.
	@ldconfig -p | grep -q libpangoft2 || { echo "== installing Pango for WeasyPrint"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $@

setup: $(BIN)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_areas --regency 32.15
	$(MANAGE) seed_demo

# The app and its background worker (PDF reports, imports, periodic tasks) together; Ctrl-C
# stops both. Readable log lines here; production logs JSON (LOG_FORMAT, README).
run: export LOG_FORMAT ?= text
run: setup
	trap 'kill 0' EXIT; $(MANAGE) worker --interval 2 & $(MANAGE) runserver 127.0.0.1:8000

# The production stack on this machine, for trying it: DEBUG=0 against PostgreSQL, gunicorn
# (deploy/gunicorn.conf.py) serving the collected, compressed static files, and the worker.
# Plain HTTP on loopback (SECURE_HTTPS=0): http://127.0.0.1:8000/; the office's server puts
# nginx with TLS in front (README, "Menjalankan di server"). Ctrl-C stops both. The demo
# accounts are created only in a database without users.
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/karawang_umkm_serve
SERVE_ENV = DEBUG=0 DATABASE_URL=$(SERVE_DATABASE_URL) SECRET_KEY="$$(cat .serve-secret)" \
  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_HTTPS=0
serve: serve-prepare
	trap 'kill 0' EXIT; $(SERVE_ENV) $(MANAGE) worker --interval 2 & \
	  $(SERVE_ENV) $(BIN)/gunicorn --config deploy/gunicorn.conf.py

serve-prepare: $(BIN)/.installed .serve-secret
	createdb --maintenance-db=$(dir $(SERVE_DATABASE_URL))postgres \
	  $(notdir $(SERVE_DATABASE_URL)) 2>/dev/null || true
	$(SERVE_ENV) $(MANAGE) migrate --no-input -v0
	$(SERVE_ENV) $(MANAGE) collectstatic --no-input -v0
	$(SERVE_ENV) $(MANAGE) load_areas --regency 32.15 -v0
	if $(SERVE_ENV) $(MANAGE) shell -v0 -c 'import sys; from django.contrib.auth import \
	  get_user_model; sys.exit(get_user_model().objects.exists())'; then \
	  $(SERVE_ENV) $(MANAGE) seed_demo; fi

# Load test (issue 11): the stack of `make serve` in the background, then Locust on loopback
# (tests/load/locustfile.py): 50 people for 5 minutes in the office's mix. Prints requests,
# failures, p50/p95 per page, then checks that every concurrent case move landed once or got a
# 409 (tests/load/check_moves.py). Shorter: make loadtest LOADTEST_TIME=1m
LOADTEST_USERS ?= 50
LOADTEST_TIME ?= 5m
loadtest: serve-prepare
	@! curl -fs -o /dev/null http://127.0.0.1:8000/healthz || \
	  { echo "Something already serves 127.0.0.1:8000: stop it first."; exit 1; }
	$(SERVE_ENV) $(MANAGE) worker --interval 2 & worker=$$!; \
	  $(SERVE_ENV) LOG_LEVEL=WARNING $(BIN)/gunicorn --config deploy/gunicorn.conf.py & web=$$!; \
	  trap 'kill $$web $$worker 2>/dev/null; wait' EXIT; \
	  for i in $$(seq 60); do curl -fs -o /dev/null http://127.0.0.1:8000/healthz && break; \
	    sleep 1; done; \
	  LOADTEST_MOVES=.loadtest-moves.json $(BIN)/locust -f tests/load/locustfile.py --headless \
	    --host http://127.0.0.1:8000 -u $(LOADTEST_USERS) -r 2 -t $(LOADTEST_TIME) \
	    --stop-timeout 10 --only-summary --loglevel WARNING; status=$$?; \
	  $(SERVE_ENV) $(BIN)/python tests/load/check_moves.py .loadtest-moves.json \
	    && exit $$status

# A secret key for `make serve`, made once and kept out of git.
.serve-secret:
	umask 077; $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Reports' speed and memory on the demo data and on 10x the demo, in a throwaway database.
bench-report: $(BIN)/.installed
	rm -f bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/bench.sqlite3 $(MANAGE) migrate --no-input -v0
	DATABASE_URL=sqlite:///$(CURDIR)/bench.sqlite3 $(MANAGE) load_areas --regency 32.15 -v0
	DATABASE_URL=sqlite:///$(CURDIR)/bench.sqlite3 $(MANAGE) seed_demo > /dev/null
	DATABASE_URL=sqlite:///$(CURDIR)/bench.sqlite3 $(MANAGE) bench_report --scale 10
	rm -f bench.sqlite3

test: $(BIN)/.installed
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin dependencies after editing pyproject.toml.
lock: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Spreadsheet import of 10,000 businesses on PostgreSQL (a database named karawang_bench).
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/karawang_bench
bench-import: $(BIN)/.installed
	createdb -h 127.0.0.1 -U postgres karawang_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DB) $(MANAGE) migrate --no-input -v0
	DATABASE_URL=$(BENCH_DB) $(MANAGE) load_areas --regency 32.15 -v0
	DATABASE_URL=$(BENCH_DB) $(MANAGE) seed_demo > /dev/null
	DATABASE_URL=$(BENCH_DB) $(MANAGE) bench_import --rows 10000

# SIDT extract of 200,000 rows into an empty registry, then again with 5% changed (issue 14), on
# PostgreSQL (a database named karawang_bench_sidt).
SIDT_DB ?= postgres://postgres@127.0.0.1:5432/karawang_bench_sidt
bench-sidt: $(BIN)/.installed
	createdb -h 127.0.0.1 -U postgres karawang_bench_sidt 2>/dev/null || true
	DATABASE_URL=$(SIDT_DB) $(MANAGE) migrate --no-input -v0
	DATABASE_URL=$(SIDT_DB) $(MANAGE) load_areas --regency 32.15 -v0
	DATABASE_URL=$(SIDT_DB) $(MANAGE) seed_demo > /dev/null
	# DEBUG off as production runs it: DEBUG's query log would keep every bulk INSERT's SQL.
	DATABASE_URL=$(SIDT_DB) DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=127.0.0.1 \
	  SECURE_HTTPS=0 $(MANAGE) bench_sidt_import --rows 200000

# Every page at national size (issue 10): all of Indonesia's villages, then 1,000,000 businesses
# and 3,000,000 cases (about 4 minutes, once; kept for later runs), then the timings. Another size:
#   make bench SCALE_DB=postgres://postgres@127.0.0.1:5432/karawang_bench_10k \
#              BENCH_BUSINESSES=10000 BENCH_CASES=30000 BENCH_VILLAGES=830 \
#              BENCH_GENERATE_ARGS="--mentors 50 --visits 2000 --cooperatives 200 --activities 100" \
#              BENCH_ARGS="--only mentor --no-pdf"
# (830 villages keep 12 businesses a village, as 1,000,000 over all 83,763 do; the mentors,
# visits, cooperatives and activities are scaled by the same 1/100.)
SCALE_DB ?= postgres://postgres@127.0.0.1:5432/karawang_bench_scale
BENCH_BUSINESSES ?= 1000000
BENCH_CASES ?= 3000000
BENCH_VILLAGES ?= 0
BENCH_GENERATE_ARGS ?=
BENCH_ARGS ?=
bench: $(BIN)/.installed
	createdb -h 127.0.0.1 -U postgres $(notdir $(SCALE_DB)) 2>/dev/null || true
	DATABASE_URL=$(SCALE_DB) $(MANAGE) migrate --no-input -v0
	DATABASE_URL=$(SCALE_DB) $(MANAGE) load_areas --all -v0
	DATABASE_URL=$(SCALE_DB) $(MANAGE) generate_scale_data --keep \
	  --businesses $(BENCH_BUSINESSES) --cases $(BENCH_CASES) --villages $(BENCH_VILLAGES) \
	  $(BENCH_GENERATE_ARGS)
	# Measured as production runs: DEBUG off (no query log, no template debugging), on loopback,
	# with the hashed static file names production uses (they need collectstatic's manifest).
	DATABASE_URL=$(SCALE_DB) DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=127.0.0.1 \
	  SECURE_HTTPS=0 $(MANAGE) collectstatic --no-input -v0
	DATABASE_URL=$(SCALE_DB) DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=127.0.0.1 \
	  SECURE_HTTPS=0 $(MANAGE) bench $(BENCH_ARGS)
