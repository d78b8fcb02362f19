# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The demo keeps e-mails as files in var/mail/ instead of printing each one.
DEMO := DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

.PHONY: run test install lint migrate demo jobs demo-reset catalogues worker beat serve bench bench-scale load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Development site on SQLite (var/db.sqlite3) with demo data. Without Redis there is
# no worker and no beat: work a page queues (notices, e-mails) runs in-process at once,
# and the scheduled jobs run once at start; `make jobs` runs them again.
run: demo
	@echo ""
	@echo "Salesmgmt is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "Demo logins, password demo-pass-2026: rep, manager, director, admin"
	@echo "E-mails are written to var/mail/; 'make jobs' runs the scheduled jobs that are due."
	$(DEMO) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Migrate var/db.sqlite3, load the demo (once) and run the jobs that are due.
demo: install
	mkdir -p var
	$(DEMO) $(BIN)/python manage.py compile_catalogues
	$(DEMO) $(BIN)/python manage.py migrate --noinput
	$(DEMO) $(BIN)/python manage.py seed_demo
	$(DEMO) $(BIN)/python manage.py run_jobs

# Every scheduled job, once, now (each acts only if it is due and never twice).
jobs: install
	$(DEMO) $(BIN)/python manage.py run_jobs

# A fresh demo database; the virtualenv stays.
demo-reset:
	rm -f var/db.sqlite3
	$(MAKE) demo

# The whole suite: SQLite unless DATABASE_URL is set; browser tests when chromium is present.
test: install
	$(BIN)/pytest

# Style, and the layers: each app imports only the apps below it (see README, Architecture).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	DEBUG=1 $(BIN)/python -m tests.bench.bench_api

# The scale benchmark (PostgreSQL; DATABASE_URL required): seeds 2,000 reps when the
# database is empty, then times each busy path against its plain reference, interleaved.
bench-scale: install
	@test -n "$(DATABASE_URL)" || (echo "bench-scale needs DATABASE_URL=postgres://..." && exit 2)
	$(BIN)/python -m tests.bench.bench_scale $(ARGS)

# 20 simulated people for 60 s against gunicorn (4 workers, DEBUG off) on loopback, on
# the scale database (DATABASE_URL; `make bench-scale` seeds it): p50/p95/p99 per page.
load: install
	@test -n "$(DATABASE_URL)" || (echo "load needs DATABASE_URL=postgres://..." && exit 2)
	$(BIN)/python -m tests.bench.load $(ARGS)

# Workers and the web server read the compiled catalogues (built, not committed).
catalogues: install
	$(BIN)/python manage.py compile_catalogues

worker: catalogues
	$(BIN)/celery -A salesmgmt worker --loglevel=INFO

# Exactly one beat per deployment: two would start every job twice.
beat: catalogues
	$(BIN)/celery -A salesmgmt beat --loglevel=INFO

# Production web server (set DEBUG=0, SECRET_KEY, DATABASE_URL, ... first). gunicorn's
# control socket is one fixed path per user, so several servers on one machine need it off.
serve: catalogues
	$(BIN)/gunicorn salesmgmt.wsgi:application --bind 127.0.0.1:$(PORT) --workers 3 \
		--no-control-socket --access-logfile -

clean:
	rm -rf $(VENV) var test-artifacts staticfiles
