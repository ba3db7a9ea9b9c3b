# pixelflow — `make dev` runs the whole system on http://localhost:8000; `make test` installs and tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python that every locked wheel exists for (pgserver's stop at 3.12), else python3.
SUPPORTED_PYTHON := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))
PYTHON ?= $(firstword $(foreach p,python3.12 python3.11 python3,$(shell $(p) -c '$(SUPPORTED_PYTHON)' >/dev/null 2>&1 && echo $(p))) python3)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.synced
GENERATED := ':(glob)contracts/**/*_pb2*'
PROTOS := $(shell find contracts/pixelflow -name '*.proto' | sort)
SOURCES := contracts/pixelflow contracts/runtime/pixelflow contracts/media/pixelflow svc_auth/svc_auth svc_images/svc_images svc_worker/svc_worker edge/edge tests tools bench

WEB_STAMP := web/node_modules/.installed
WEB_SOURCES := $(shell find web/src web/public web/scripts -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json

BENCH_STAMP := bench/node_modules/.installed
AUDIT_STAMP := bench/audit/node_modules/.installed
# openapi-typescript in its own package: it needs TypeScript 5, the web app builds with TypeScript 7.
OPENAPI_TS := tools/openapi-ts
OPENAPI_TS_STAMP := $(OPENAPI_TS)/node_modules/.installed
API_SCHEMA := web/src/api/schema.ts

.PHONY: help install lock proto proto-check api-types api-types-check lint fmt typecheck test pytest migrate dev reset clean web web-test browser bench audit backup restore

help:
	@echo "make dev      run every service (logs prefixed by service) until Ctrl-C"
	@echo "make test     install everything, check stubs, lint, type-check, run the whole suite"
	@echo "make proto    regenerate the gRPC stubs from contracts/**/*.proto"
	@echo "make api-types  regenerate web/src/api/schema.ts from the edge's OpenAPI document"
	@echo "make migrate  create the databases and apply every service's migrations"
	@echo "make reset    delete .data/: the embedded PostgreSQL and Redis data (FORCE=1 asks nothing)"
	@echo "make fmt      format and autofix"
	@echo "make lock     re-resolve requirements.lock from requirements/dev.in"
	@echo "make web      build the web app into web/dist (the edge serves it at /)"
	@echo "make bench    benchmark conversion, the pipeline, streaming memory and the API"
	@echo "make backup   dump both databases, then copy the bucket's new objects (PIXELFLOW_BACKUP_*)"
	@echo "make restore  put the newest backup back (AT=<set> for another)"
	@echo "make audit    Lighthouse on the sign-in page and a 12-photo gallery (mobile, desktop) into the README"

# The venv is synced to the lock; the stamp makes `install` a no-op until the lock changes.
$(STAMP): requirements.lock
	@$(PYTHON) -c '$(SUPPORTED_PYTHON)' || { \
		echo "pixelflow needs Python 3.11 or 3.12 (the embedded PostgreSQL's wheels stop at 3.12): make PYTHON=python3.12"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null; \
		$(BIN)/python -m pip install --quiet "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements.lock)"; }
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	@touch $(STAMP)

# The web app's dependencies, exactly as web/package-lock.json has them.
$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $(WEB_STAMP)

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build --silent

web: web/dist/index.html

web-test: $(WEB_STAMP)
	cd web && npx vitest run

# The browser tests drive Debian's chromium (browser downloads do not work here).
browser:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

install: $(STAMP) $(WEB_STAMP) browser

# sharp, for the benchmark only, from bench/package-lock.json.
$(BENCH_STAMP): bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	@touch $(BENCH_STAMP)

# A table on the terminal and JSON under bench/results/ (settings: see bench/run.py).
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m bench.run

# Lighthouse, pinned, from bench/audit/package-lock.json.
$(AUDIT_STAMP): bench/audit/package-lock.json
	cd bench/audit && npm ci --no-audit --no-fund --loglevel=error
	@touch $(AUDIT_STAMP)

# Starts its own system on free ports; JSON under bench/results/, the table into the README.
audit: $(STAMP) $(AUDIT_STAMP) web browser
	$(BIN)/python -m bench.audit

IMAGES := svc_auth svc_images svc_worker edge
COMPILE = $(UV) pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make lock"

# One resolution for the repository; each image's lock is its subset, pinned to the same versions.
lock: $(STAMP)
	$(COMPILE) requirements/dev.in -o requirements.lock
	@sed -n 's/^\([A-Za-z0-9_.-]*==[^ ]*\).*/\1/p' requirements.lock > requirements/.pins.txt
	@for image in $(IMAGES); do \
		$(COMPILE) requirements/$$image.in -c requirements/.pins.txt -o requirements/$$image.lock || exit 1; done
	@rm -f requirements/.pins.txt

proto: $(STAMP)
	cd contracts && PATH="$(CURDIR)/$(BIN):$$PATH" $(CURDIR)/$(BIN)/python -m grpc_tools.protoc -I. \
		--python_out=. --pyi_out=. --grpc_python_out=. --mypy_grpc_out=. $(PROTOS:contracts/%=%)

# Fails when the committed stubs differ from what the .proto files generate.
proto-check: proto
	@git diff --exit-code --stat -- $(GENERATED) || { echo "stubs are stale: run 'make proto' and commit"; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- $(GENERATED))" || { echo "generated stubs not committed"; exit 1; }

$(OPENAPI_TS_STAMP): $(OPENAPI_TS)/package-lock.json
	cd $(OPENAPI_TS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(OPENAPI_TS_STAMP)

# The document comes from the app itself (no server); the TypeScript from openapi-typescript.
api-types: $(STAMP) $(OPENAPI_TS_STAMP)
	$(BIN)/python -m tools.openapi_json $(OPENAPI_TS)/openapi.json
	cd $(OPENAPI_TS) && npx --no-install openapi-typescript openapi.json -o $(CURDIR)/$(API_SCHEMA) >/dev/null

# Fails when the committed types differ from what the current API generates.
api-types-check: api-types
	@git diff --exit-code --stat -- $(API_SCHEMA) || { echo "API types are stale: run 'make api-types' and commit"; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- $(API_SCHEMA))" || { echo "$(API_SCHEMA) not committed"; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy $(SOURCES)

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: install proto-check api-types-check lint typecheck web web-test pytest

migrate: $(STAMP)
	$(BIN)/python -m tools.devrun --migrate

# PostgreSQL and Redis that do not answer are started embedded (tools/embedded.py), then migrated.
dev: $(STAMP) web
	$(BIN)/python -m tools.devrun

# Wipes what the embedded PostgreSQL, Redis and the development key keep in .data/ (FORCE=1: no question).
reset:
	@if [ -f .data/postgres/postmaster.pid ] && kill -0 "$$(head -n 1 .data/postgres/postmaster.pid)" 2>/dev/null; then \
		echo "the embedded PostgreSQL is running: stop make dev (Ctrl-C) first"; exit 1; fi; \
	if [ "$(FORCE)" != 1 ]; then read -r -p "delete .data/ (the embedded databases' data)? [y/N] " answer; \
		case "$$answer" in [yY]*) ;; *) echo "kept .data/"; exit 0;; esac; fi; \
	rm -rf .data && echo "deleted .data/"

# Both databases (pg_dump, custom format), then the bucket's objects not copied yet, into
# PIXELFLOW_BACKUP_DIR (.data/backup); restore puts the newest set back. README: "Backup and restore".
backup: $(STAMP)
	$(BIN)/python -m tools.backup backup

restore: $(STAMP)
	$(BIN)/python -m tools.backup restore $(if $(AT),--at $(AT))

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache web/node_modules web/dist test-artifacts
