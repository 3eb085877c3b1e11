# Jiyang red-property portal: the two commands are `make demo` and `make test`.
#
#   make demo      virtualenv + install (with dev tools) + translations + migrate
#                  + demo street + serve
#   make test      virtualenv + install (with dev tools) + translations + the
#                  whole test suite
#   make install   the runtime set only (production)
#
# SQLite and in-process Celery unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
APPS := org compounds consultations civic open311 assessments
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q
# Two sets: the runtime (pyproject `dependencies`, pinned in constraints.txt)
# and the development tools on top (the `dev` extra, constraints-dev.txt).
# Each is re-installed only when its declaration or pins change.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: help install install-dev demo run test worker beat lint lint-imports \
	format typecheck check messages compilemessages constraints clean bench bench-overview \
	bench-ledger bench-web bench-export

help:
	@echo "make demo          install (with dev tools), migrate, load the demo street, serve on http://$(HOST):$(PORT)"
	@echo "make test          install (with dev tools) and run the whole test suite"
	@echo "make install       (re)install the runtime set only, from constraints.txt (production)"
	@echo "make install-dev   (re)install runtime and dev tools, from constraints-dev.txt"
	@echo "make run           serve without reloading the demo data"
	@echo "make worker        Celery worker (needs REDIS_URL)"
	@echo "make beat          Celery beat (needs REDIS_URL)"
	@echo "make lint          ruff check + ruff format --check"
	@echo "make lint-imports  the layer contracts of pyproject.toml (import-linter)"
	@echo "make typecheck     mypy with django-stubs (not in CI yet)"
	@echo "make check         fail when a model change has no migration"
	@echo "make messages      refresh every translation catalogue"
	@echo "make constraints   re-pin both sets after changing pyproject.toml"
	@echo "make bench         scoring benchmark on PostgreSQL (needs DATABASE_URL)"
	@echo "make bench-overview  street overview p50/p99, cold and warm (PostgreSQL)"
	@echo "make bench-ledger  5,000-row compound workbook: dry run and import times"
	@echo "make bench-web     the portal's pages against bare Django under wrk (PostgreSQL, Redis)"
	@echo "make bench-export  export 100,000 and 1,000,000 concerns: time and memory"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml constraints.txt | $(PY)
	$(PIP_INSTALL) -c constraints.txt -e .
	@touch $(RUNTIME)

$(DEV): pyproject.toml constraints.txt constraints-dev.txt | $(PY)
	$(PIP_INSTALL) -c constraints-dev.txt -e ".[dev]"
	@touch $(RUNTIME) $(DEV)

install: | $(PY)
	$(PIP_INSTALL) -c constraints.txt -e .
	@touch $(RUNTIME)

install-dev: | $(PY)
	$(PIP_INSTALL) -c constraints-dev.txt -e ".[dev]"
	@touch $(RUNTIME) $(DEV)

compilemessages: $(RUNTIME)
	@command -v msgfmt >/dev/null || { \
		echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext)"; \
		exit 1; }
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var -v 0

# The demo runs with DEBUG on (static files served by runserver) unless the
# environment says otherwise.
demo run worker beat: export DEBUG ?= 1
# Links in the demo's e-mails and SMS (printed on the console) are absolute.
demo run worker beat: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

demo: $(DEV) compilemessages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo --address http://$(HOST):$(PORT)/
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

run: compilemessages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) runserver $(HOST):$(PORT)

# Tests never run with DEBUG on; they need some SECRET_KEY.
test lint check: export SECRET_KEY ?= test-only

test: $(DEV) compilemessages
	$(BIN)/pytest $(PYTEST_ARGS)

worker: $(RUNTIME)
	$(BIN)/celery -A jiyang worker -l info

beat: $(RUNTIME)
	@mkdir -p var
	$(BIN)/celery -A jiyang beat -l info --schedule var/celerybeat-schedule

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(RUNTIME)
	$(MANAGE) makemigrations --check --dry-run

messages: $(RUNTIME)
	@for app in $(APPS); do \
		mkdir -p $$app/locale; \
		(cd $$app && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete) || exit 1; \
	done
	$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --ignore=$(VENV) \
		--ignore=var --ignore=tests $(addprefix --ignore=,$(APPS))

lint-imports: $(DEV)
	$(BIN)/lint-imports

# Not part of CI yet: it reports errors until the code is annotated.
typecheck: export SECRET_KEY ?= test-only
typecheck: $(DEV)
	$(BIN)/mypy .

# Pin what is installed now; run after changing the dependencies in
# pyproject.toml and `make install-dev`. The runtime pins come from a scratch
# virtualenv holding the runtime set only, installed at the versions of this
# one, so constraints.txt never names a development tool; constraints-dev.txt
# includes it and adds the rest.
constraints: $(DEV)
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN)/pip freeze --exclude jiyang-red-property > "$$tmp/all.txt"; \
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
		> "$$tmp/runtime.in"; \
	$(PY) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --disable-pip-version-check -q \
		-c "$$tmp/all.txt" -r "$$tmp/runtime.in"; \
	"$$tmp/venv/bin/python" -m pip freeze > "$$tmp/runtime.txt"; \
	{ echo "# Pinned versions of the runtime set (\`make install\`: pyproject dependencies)."; \
	  echo "# Regenerate with \`make constraints\` after changing pyproject.toml."; \
	  cat "$$tmp/runtime.txt"; } > constraints.txt; \
	{ echo "# Pinned versions of the development tools (\`make install-dev\`: the dev extra),"; \
	  echo "# on top of the runtime pins. Regenerate with \`make constraints\`."; \
	  echo "-c constraints.txt"; \
	  grep -vxF -f "$$tmp/runtime.txt" "$$tmp/all.txt" || true; } > constraints-dev.txt

# Scoring benchmark (bench/scoring.py, not an installed app): a scratch
# database bench_jiyang next to DATABASE_URL (PostgreSQL), created and dropped
# by the benchmark. BENCH_ARGS e.g. "--compounds 20000 --small 5000"; all
# options: $(PY) -m bench.scoring --help.
BENCH_ARGS ?=
bench: export DEBUG ?= 1
bench: $(RUNTIME)
	$(PY) -m bench.scoring $(BENCH_ARGS)

# Overview benchmark (bench/overview.py): the street overview cold and warm on
# the scoring benchmark's city with 1,000,000 concerns, in a scratch database
# bench_jiyang_overview. BENCH_ARGS e.g. "--compounds 2500 --concerns 250000".
bench-overview: $(RUNTIME)
	$(PY) -m bench.overview $(BENCH_ARGS)

# Ledger import benchmark (bench/ledger_import.py): a scratch database
# bench_jiyang_ledgers, created and dropped. BENCH_ARGS e.g. "--rows 20000".
bench-ledger: export DEBUG ?= 1
bench-ledger: $(RUNTIME)
	$(PY) -m bench.ledger_import $(BENCH_ARGS)

# Web benchmark (bench/web.py): a scratch database bench_jiyang_web with the
# city (8 streets … 1M concerns), the portal and the bare baseline of
# bench/bare under gunicorn, driven by wrk (installed with apt-get when
# missing). BENCH_ARGS e.g. "--scale small", "--only post --duration 20",
# "--redis-url redis://127.0.0.1:6379/15" (flushed); all options:
# $(PY) -m bench.web --help.
bench-web: export DEBUG ?= 1
bench-web: $(RUNTIME) compilemessages
	$(PY) -m bench.web $(BENCH_ARGS)

# Large export benchmark (bench/ledger_export.py): a scratch database
# bench_jiyang_exports, created and dropped. BENCH_ARGS e.g.
# "--concerns 200000 --sizes 20000,200000 --trace-up-to 0".
bench-export: export DEBUG ?= 1
bench-export: $(RUNTIME)
	$(PY) -m bench.ledger_export $(BENCH_ARGS)

clean:
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
	rm -rf var/static
