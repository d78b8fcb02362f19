# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate demo worker beat bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Development site on SQLite (var/db.sqlite3) with demo data; tasks run in-process.
run: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Salesmgmt is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo "Demo logins, password demo-pass-2026: rep, manager, director, admin"
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: SQLite unless DATABASE_URL is set; browser tests when chromium is present.
test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	DEBUG=1 $(BIN)/python -m tests.bench.bench_api

worker: install
	$(BIN)/celery -A salesmgmt worker --loglevel=INFO

beat: install
	$(BIN)/celery -A salesmgmt beat --loglevel=INFO

clean:
	rm -rf $(VENV) var test-artifacts staticfiles
