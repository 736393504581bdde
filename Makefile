# Funnel CRM — `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the links in emails point; web, worker and beat all get it (honcho gives each process its own PORT).
FUNNEL_SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run dev test lint format check audit bench chaos scale-out screenshots clean backup restore

help: ## Show this help
	@echo "Funnel CRM"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

# DEBUG is off unless DJANGO_DEBUG=1 (`make dev`). runserver's "development server" banner is hidden: this is the
# one-machine way to run it; production runs gunicorn (docker-compose.yml).
run: $(VENV)/.installed-runtime ## Install, migrate, load demo data, start web + worker + beat (PORT=8000 HOST=127.0.0.1)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Funnel CRM is starting at $(FUNNEL_SITE_URL)/  (Ctrl-C stops web, worker and beat)"
	@echo "  Demo logins (password funnel-demo): manager, rep1 … rep8, admin"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) FUNNEL_SITE_URL=$(FUNNEL_SITE_URL) DJANGO_RUNSERVER_HIDE_WARNING=true \
	$(PY) scripts/run_locked.py $(BIN)/honcho start -f Procfile

dev: export DJANGO_DEBUG := 1
dev: run ## Like run, with DEBUG on: Django's debug pages, static files re-read on every request

# `make run` holds var/run.lock (scripts/run_locked.py) while it runs: restore refuses then, backup is safe meanwhile.
backup: $(VENV)/.installed-runtime ## Back up the database and var/ files into var/backups/funnel-<time>.tar.gz (or BACKUP=path)
	$(PY) manage.py backup $(if $(BACKUP),--output "$(BACKUP)")

restore: $(VENV)/.installed-runtime ## Restore BACKUP=path into var/ and migrate (stop make run first)
	$(PY) manage.py restore "$(BACKUP)"

test: $(VENV)/.installed-dev ## Run the whole test suite (SQLite, or DATABASE_URL/REDIS_URL when set)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff check + format check, the apps' import layers, module size
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) scripts/check_module_size.py

format: $(VENV)/.installed-dev ## Apply ruff formatting and fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint ## Lint, missing migrations, production deploy check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=crm.settings.production \
	DJANGO_SECRET_KEY=throwaway-check-key-000000000000000000000000000000 \
	DJANGO_ALLOWED_HOSTS=crm.example.com \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

APPS := crm core users activities accounts contacts opportunities campaigns leads search workspace scoring assignment nurture imports conversion privacy integrations dashboards demo

audit: $(VENV)/.installed-dev ## bandit (medium severity and up) on the apps, then pip-audit of requirements.txt
	@# bandit warns about every reviewed `# nosec` on a line with several string parts; only findings matter.
	@out=$$($(BIN)/bandit -q -r $(APPS) -ll 2>&1); rc=$$?; echo "$$out" | grep -v "nosec encountered" || true; \
	  if [ $$rc = 0 ]; then echo "bandit: no issues of medium or high severity"; fi; exit $$rc
	$(PY) scripts/dependency_audit.py requirements.txt

screenshots: $(VENV)/.installed-dev ## Render the main pages with the demo data into docs/screenshots/
	$(PY) scripts/screenshots.py

# The chaos suite alone, on PostgreSQL + Redis (like CI's second pass of `make test`, which also runs it).
chaos: $(VENV)/.installed-dev ## Kill workers, drop connections, fill the disk mid-job; writes chaos/results/latest.json
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/funnel} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} CELERY_BROKER_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	FUNNEL_CHAOS_RESULTS=chaos/results/latest.json $(BIN)/pytest -m chaos tests/chaos $(PYTEST_ARGS)

bench: $(VENV)/.installed-runtime ## Benchmark on PostgreSQL + Redis (BENCH_ARGS="--scale 0.1 --only import")
	$(PY) bench/run.py $(BENCH_ARGS)

# docker-compose.yml's shape on this machine without Docker: 2 gunicorn, 2 workers per queue, one beat, mixed load.
scale-out: $(VENV)/.installed-runtime ## Run web x2 + 2 workers per queue + beat on PostgreSQL + Redis under load (SCALE_OUT_ARGS="--seconds 60")
	$(PY) scripts/scale_out.py $(SCALE_OUT_ARGS)

clean: ## Remove the virtualenv and local data in var/
	rm -rf $(VENV) var
