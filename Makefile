# Karawang UMKM: `make run` sets everything up and serves; `make test` sets up and tests.
# DATABASE_URL unset means an SQLite file (db.sqlite3); set it for PostgreSQL.

PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Local development and tests run with DEBUG on; production sets DEBUG=0 and real secrets.
export DEBUG ?= 1

.PHONY: run setup test lint lock clean bench bench-report bench-import

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

# The app and its background worker (PDF reports) together; Ctrl-C stops both.
run: setup
	trap 'kill 0' EXIT; $(MANAGE) db_worker --interval 2 & $(MANAGE) runserver 127.0.0.1:8000

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
	# Measured as production runs: DEBUG off (no query log, no template debugging), on loopback.
	DATABASE_URL=$(SCALE_DB) DEBUG=0 SECRET_KEY=bench-only-not-a-secret ALLOWED_HOSTS=127.0.0.1 \
	  SECURE_HTTPS=0 $(MANAGE) bench $(BENCH_ARGS)
