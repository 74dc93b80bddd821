# Two commands do all the setup: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The public pages are Jinja2 templates (templates/jinja2/); the admin's are Django's.
DJLINT_DJANGO := $(BIN)/djlint templates --extend-exclude templates/jinja2
DJLINT_JINJA := $(BIN)/djlint templates/jinja2 --profile=jinja

.DEFAULT_GOAL := help
.PHONY: help screenshots run test lint lock format cluster cluster-down test-cluster bench-cluster messages makemessages migrate ci clean bench bench-micro bench-publish soak backup restore wrk

help:
	@echo "make run           the whole portal (web, Celery worker and beat) on http://$(HOST):$(PORT)/"
	@echo "make test          lint, migration and system checks, and the test suite"
	@echo "make messages      compile the .po translation files"
	@echo "make makemessages  collect new UI strings into locale/*/LC_MESSAGES/django.po"
	@echo "make lint|format   ruff, djLint for the templates, the import contracts, the Dockerfile and compose.yaml"
	@echo "make lock          requirements.lock (pinned, hashed) for the container image"
	@echo "make ci            what CI runs (.ci/run)"
	@echo "make bench         public pages under load (wrk, gunicorn) against a hello-world ceiling"
	@echo "make bench-micro   search at 100 000 items, admin change list, demo generation"
	@echo "make bench-publish lateness of scheduled publishing with a real worker, Redis and PostgreSQL"
	@echo "make soak          5 minutes at 80 % of the maximum rate: no 5xx, worker memory flat"
	@echo "make cluster       two web nodes behind nginx on :8080, two workers, a publisher, two beats, S3 (moto); make cluster-down stops it"
	@echo "make test-cluster  the cluster's tests (tests/cluster) on a fresh cluster"
	@echo "make bench-cluster the proxy's warm cache against one node, nginx static files and a hello-world"
	@echo "make backup        back up the database and the uploads to BACKUP_DIR (var/backups)"
	@echo "make restore       restore the latest backup of the database and of the uploads"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt tests/requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@ $(VENV)/.installed

# A local secret key for this checkout, generated once and never committed.
.env: | $(PY)
	@$(PY) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@
	@chmod 600 $@
	@echo "Wrote a new local SECRET_KEY to .env (git-ignored)."

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install GNU gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=staticfiles -v0

makemessages: $(VENV)/.installed
	$(PY) manage.py makemessages -l vi -l en --no-location --no-obsolete \
		--ignore=$(VENV) --ignore=staticfiles --ignore=tests --ignore=var

migrate: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput

run: $(VENV)/.installed .env messages migrate
	$(PY) manage.py load_seed_content
	$(PY) manage.py sync_public_media
	$(PY) manage.py collectstatic --noinput -v0
	@echo
	@$(PY) manage.py bootstrap_admin
	@echo
	@echo "  Portal (Vietnamese): http://$(HOST):$(PORT)/vi/"
	@echo "  Portal (English):    http://$(HOST):$(PORT)/en/"
	@echo "  Admin:               http://$(HOST):$(PORT)/vi/admin/"
	@echo "  Health:              http://$(HOST):$(PORT)/readyz"
	@echo "  Press Ctrl-C to stop the web server, the workers and beat."
	@echo
	SERVE_MEDIA=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho -f asean_portal/Procfile.dev -d . start

backup: $(VENV)/.installed .env
	$(PY) manage.py dbbackup --clean
	@# A portal without uploads yet has no media folder to archive.
	@$(PY) manage.py shell -v0 -c "from django.conf import settings; settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)"
	$(PY) manage.py mediabackup --clean

restore: $(VENV)/.installed .env
	$(PY) manage.py dbrestore
	$(PY) manage.py mediarestore
	$(PY) manage.py sync_public_media

test: $(VENV)/.installed-dev .env messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DJLINT_DJANGO) --check
	$(DJLINT_DJANGO) --lint
	$(DJLINT_JINJA) --check
	$(DJLINT_JINJA) --lint
	$(BIN)/hadolint Dockerfile
	$(PY) deploy/check_compose.py
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DJLINT_DJANGO) --check
	$(DJLINT_DJANGO) --lint
	$(DJLINT_JINJA) --check
	$(DJLINT_JINJA) --lint
	$(BIN)/hadolint Dockerfile
	$(PY) deploy/check_compose.py

# The image's pinned, hashed dependencies, after a change to requirements.txt.
lock: $(VENV)/.installed
	$(PY) deploy/lock.py

# djLint exits 1 when it has rewritten a file; the check after it must pass.
format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(DJLINT_DJANGO) --reformat --quiet || $(DJLINT_DJANGO) --check --quiet
	$(DJLINT_JINJA) --reformat --quiet || $(DJLINT_JINJA) --check --quiet

ci:
	bash .ci/run

# The benchmarks need the PostgreSQL and Redis servers (BENCH_DATABASE_URL,
# BENCH_REDIS_URL); `make bench` installs wrk from Debian's packages if missing.
wrk:
	@command -v wrk >/dev/null || { \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq wrk >/dev/null; }

# The README's screenshots (docs/screenshots/take.py): seeded portal, Chromium.
screenshots: $(VENV)/.installed-dev messages
	$(PY) docs/screenshots/take.py

bench: $(VENV)/.installed-dev messages wrk
	$(PY) -m bench.pages

soak: $(VENV)/.installed-dev messages wrk
	$(PY) -m bench.soak

bench-micro: $(VENV)/.installed-dev messages
	$(PY) -m bench.micro

bench-publish: $(VENV)/.installed-dev messages
	$(PY) -m bench.publish

clean:
	rm -rf $(VENV) staticfiles var test-artifacts
	find . -name '*.mo' -not -path './$(VENV)/*' -delete

# The scaled-out portal on loopback (deploy/cluster.py): nginx :8080, gunicorn
# :8001 and :8002, two workers, two beats, moto's S3 server; this machine's
# PostgreSQL (asean_portal_cluster) and Redis (db CLUSTER_REDIS_DB, 13).
cluster: $(VENV)/.installed-dev .env messages
	$(PY) deploy/cluster.py up

cluster-down:
	$(PY) deploy/cluster.py down

# What the cluster must do (tests/cluster/): an upload seen through the other
# node and the proxy, an edit seen through the proxy within a second in both
# languages, a scheduled item published once, a beat and a node lost.
test-cluster: $(VENV)/.installed-dev .env messages wrk
	$(MAKE) cluster-down >/dev/null
	$(MAKE) cluster
	PORTAL_CLUSTER=1 $(BIN)/pytest tests/cluster; status=$$?; \
		$(MAKE) cluster-down; exit $$status

# The proxy's warm cache against one node, nginx's static files and a Django
# hello-world (bench/cluster.py), on a fresh cluster.
bench-cluster: $(VENV)/.installed-dev .env messages wrk
	$(MAKE) cluster-down >/dev/null
	$(MAKE) cluster
	$(PY) -m bench.cluster; status=$$?; $(MAKE) cluster-down; exit $$status
