# Jiyang red-property portal: the two commands are `make demo` and `make test`.
#
#   make demo      virtualenv + install + translations + migrate + demo street + serve
#   make test      virtualenv + install + translations + the whole test suite
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
APPS := org compounds consultations assessments
# Re-install only when the declared or pinned dependencies change.
STAMP := $(VENV)/.installed

.PHONY: help install demo run test worker beat lint format check messages \
	compilemessages constraints clean bench

help:
	@echo "make demo      install, migrate, load the demo street, serve on http://$(HOST):$(PORT)"
	@echo "make test      install and run the whole test suite"
	@echo "make install   (re)install into $(VENV) from constraints.txt"
	@echo "make run       serve without reloading the demo data"
	@echo "make worker    Celery worker (needs REDIS_URL)"
	@echo "make beat      Celery beat (needs REDIS_URL)"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make check     fail when a model change has no migration"
	@echo "make messages  refresh every translation catalogue"
	@echo "make bench     scoring benchmark on PostgreSQL (needs DATABASE_URL)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

compilemessages: $(STAMP)
	@command -v msgfmt >/dev/null || { \
		echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext)"; \
		exit 1; }
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var -v 0

# The demo runs with DEBUG on (static files served by runserver) unless the
# environment says otherwise.
demo run worker beat: export DEBUG ?= 1

demo: compilemessages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo --address http://$(HOST):$(PORT)/
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

run: compilemessages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) runserver $(HOST):$(PORT)

# Tests never run with DEBUG on; they need some SECRET_KEY.
test lint check: export SECRET_KEY ?= test-only

test: compilemessages
	$(BIN)/pytest $(PYTEST_ARGS)

worker: $(STAMP)
	$(BIN)/celery -A jiyang worker -l info

beat: $(STAMP)
	@mkdir -p var
	$(BIN)/celery -A jiyang beat -l info --schedule var/celerybeat-schedule

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	$(MANAGE) makemigrations --check --dry-run

messages: $(STAMP)
	@for app in $(APPS); do \
		mkdir -p $$app/locale; \
		(cd $$app && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete) || exit 1; \
	done
	$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --ignore=$(VENV) \
		--ignore=var --ignore=tests $(addprefix --ignore=,$(APPS))

# Pin what is installed now; run after changing the dependencies in
# pyproject.toml and `make install`.
constraints: $(STAMP)
	@{ echo "# Pinned versions of everything \`make install\` puts in the virtualenv."; \
	   echo "# Regenerate with \`make constraints\` after changing pyproject.toml."; \
	   $(BIN)/pip freeze --exclude jiyang-red-property; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Scoring benchmark: a scratch database bench_jiyang next to DATABASE_URL
# (PostgreSQL), created and dropped by the command. BENCH_ARGS e.g.
# "--compounds 20000 --small 5000".
BENCH_ARGS ?=
bench: export DEBUG ?= 1
bench: $(STAMP)
	$(MANAGE) bench_scoring $(BENCH_ARGS)

clean:
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
	rm -rf var/static
