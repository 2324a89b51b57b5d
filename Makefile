# The commands (see README.md):
#   make build       install, generate the demo data into data/demo/, build it with a year of segment history,
#                    publish, print the summary; never touches data/raw or data/warehouse.duckdb
#   make warehouse   RAW_DIR=<your folder> AS_OF=<date>: the month-end cycle on your own files (never generates), with
#                    the definitions you name (SEGMENTS_FILE=, CAMPAIGNS_FILE=) or none
#   make test        the linters (make lint), then the whole test suite
#   make dashboard   the Streamlit dashboard on the published demo warehouse (or PUBLISHED_PATH=<file>), headless
#   make serve       the segment service (HTTP API) on the published demo warehouse (or WAREHOUSE=<file>), PORT=8000
#   make token       ROLE=<viewer|editor|admin> NAME=<who>: a token for the service (LIST=1 lists, REVOKE=<id> revokes)
#   make system-deps the system packages the tests need (Chromium, a Java runtime, PostgreSQL), as root or with sudo
# Each needs only python3 and make; every target installs the Python packages it needs into .venv from the lock files,
# and this checkout itself as the package (editable, so the dbt Python models import it like any library;
# pyproject.toml). System packages are installed only by `make system-deps`, never by a test or another target
# (docs/testing.md). Every target runs a module of the runtime package segmentation/ or of the tools package
# segmentation_tools/, each also a console script once installed (segmentation/__init__.py lists them):
#   segmentation_tools.demo (build), segmentation_tools.datagen (data), segmentation.run_month (backfill,
#   warehouse: it loads the raw files with segmentation.ingest, then builds), segmentation.publish (publish),
#   segmentation.summary, segmentation_tools.benchmark (bench), segmentation_tools.engines.portability
#   (test-portability), segmentation.exports (export), dashboard.serve (dashboard), segmentation.service (serve),
#   segmentation.service.tokens (token).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

CUSTOMERS ?= 50000
TRANSACTIONS ?= 13500000
SEED ?= 42
AS_OF ?= $(shell date -u +%Y-%m-%d)
# Your files and your warehouse (make warehouse, backfill, publish, summary, docs).
RAW_DIR ?= data/raw
BACKFILL_MONTHS ?= 12
export DUCKDB_PATH ?= data/warehouse.duckdb
PUBLISHED_PATH ?= $(dir $(DUCKDB_PATH))published/$(notdir $(DUCKDB_PATH))
export DBT_PROFILES_DIR := $(CURDIR)
# `make warehouse FULL_REFRESH=1` stages the whole transactions file again (after a changed delivery).
FULL_REFRESH ?=
FULL_REFRESH_FLAG := $(if $(filter 1 yes true,$(FULL_REFRESH)),--full-refresh)
# `make warehouse VARS='{max_reject_share: 0.1}'` passes dbt vars to the build (a quality gate's limit raised
# for a delivery known to be off).
VARS ?=
VARS_FLAG := $(if $(VARS),--vars '$(VARS)')
# The monthly cycle's log, appended to on every run.
RUN_LOG ?= logs/run_month.log
# The definitions your build reads (docs/segment-authors.md, docs/marketing.md), relative to the project root or
# absolute: `make warehouse SEGMENTS_FILE=<your segments.yml> CAMPAIGNS_FILE=<your campaigns.yml>`. None by default;
# the cycle's log and the summary say which it read. `make build` names the demo's, beside its raw files.
SEGMENTS_FILE ?=
CAMPAIGNS_FILE ?=
DEFINITIONS_FLAGS = $(if $(SEGMENTS_FILE),--segments-file '$(SEGMENTS_FILE)') \
	$(if $(CAMPAIGNS_FILE),--campaigns-file '$(CAMPAIGNS_FILE)')

# The demo's own tree: `make build` generates into $(DEMO_DIR)/raw (or RAW_DIR= if given) and builds
# $(DEMO_DIR)/warehouse.duckdb, published to $(DEMO_DIR)/published/warehouse.duckdb, whatever DUCKDB_PATH says.
DEMO_DIR ?= data/demo
build: RAW_DIR = $(DEMO_DIR)/raw
build: override DUCKDB_PATH = $(DEMO_DIR)/warehouse.duckdb
build: override PUBLISHED_PATH = $(DEMO_DIR)/published/warehouse.duckdb

DBT_VARS := '{raw_data_dir: "$(RAW_DIR)", as_of_date: "$(AS_OF)"}'

.PHONY: build test lint test-portability system-deps dashboard serve token install install-dev install-tools install-engines install-dashboard install-service data backfill warehouse publish summary docs bench clean

# The demo data is generated relative to AS_OF, so a new demo gets a new warehouse: keeping the
# old file would record every regenerated customer as a changed profile in the snapshot. One command
# (segmentation_tools/demo.py, also `segmentation-demo`), in this order: the generator refuses a folder it did
# not fill (it leaves a .generated-by-segmentation marker in the ones it does) before the demo's warehouse is
# deleted, so `make build RAW_DIR=<your folder>` stops with nothing changed. Then the demo's marketing loop
# (docs/marketing.md): the month-end cycle as of the campaigns' selection date, the export command, the simulated
# platform's log; and the demo's build from a new warehouse file, with the segments and campaigns defined beside
# the demo's files.
build: install-tools
	$(BIN)/python -m segmentation_tools.demo --customers $(CUSTOMERS) --transactions $(TRANSACTIONS) \
		--as-of $(AS_OF) --seed $(SEED) --raw-dir $(RAW_DIR) --database $(DUCKDB_PATH) \
		--published $(PUBLISHED_PATH) --log-file $(RUN_LOG) --backfill-months $(BACKFILL_MONTHS)

# The linters first, so that CI (which runs `make test`) fails on a style or type violation. The suite runs in a
# worker process per CPU (up to four), a test file to a worker, since most of its time is dbt builds of its own files.
test: install-dev install-engines install-dashboard install-service lint
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

# Python: ruff (lint and format) and mypy, settings in pyproject.toml; SQL: sqlfluff, settings in .sqlfluff. mypy reads
# every module, so it needs every package they import: the engines', the dashboard's and the service's too.
lint: install-dev install-engines install-dashboard install-service
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models macros tests

# The same models built and tested on DuckDB, a throwaway Postgres server and Spark, from the test
# sample; fails if any customer's segment (or any mart row) differs (segmentation_tools/engines/portability.py).
test-portability: install-engines install-tools
	$(BIN)/python -m segmentation_tools.engines.portability

# The system packages the tests and the engine comparison need, from Debian's (or Ubuntu's) archive, installed only
# when missing: Chromium and its driver for the dashboard's browser test (`make test`; without them it skips, saying
# so), a Java runtime for Spark and a PostgreSQL server for `make test-portability` (which stops, naming this target,
# without them). As root, or through sudo. CI runs it first (.ci/run).
APT_GET ?= apt-get
POSTGRES_ROOT ?= /usr/lib/postgresql
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)
SYSTEM_PACKAGES_MISSING = $(strip \
	$(if $(shell command -v chromium),,chromium) \
	$(if $(shell command -v chromedriver),,chromium-driver) \
	$(if $(or $(JAVA_HOME),$(shell command -v java)),,default-jre-headless) \
	$(if $(wildcard $(POSTGRES_ROOT)/*/bin/initdb),,postgresql))
APT_INSTALL = $(SUDO) env DEBIAN_FRONTEND=noninteractive $(APT_GET)
system-deps:
	$(if $(SYSTEM_PACKAGES_MISSING),$(APT_INSTALL) update -qq && $(APT_INSTALL) install -y -qq $(SYSTEM_PACKAGES_MISSING),\
		@echo "system-deps: Chromium, chromedriver, a Java runtime and PostgreSQL are installed")

install: $(BIN)/.installed

# Re-installs only when the lock file or the package's declaration changes. The package itself goes in without
# dependencies (the lock file pinned them), editable: the checkout's code and dbt project are what runs.
$(BIN)/.installed: requirements.lock pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The tools package's dependency (Faker, the generator's): for the demo, the benchmark and the tests.
install-tools: $(BIN)/.installed-tools

$(BIN)/.installed-tools: requirements-tools.lock $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-tools.lock
	touch $@

# The linters (ruff, mypy, sqlfluff) and the test libraries (pytest), for `make lint` and `make test`.
install-dev: $(BIN)/.installed-dev

$(BIN)/.installed-dev: requirements-dev.lock requirements-tools.lock $(BIN)/.installed-tools
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

# The Postgres and Spark adapters (pyspark is large): for the tests, not for `make build`.
install-engines: $(BIN)/.installed-engines

$(BIN)/.installed-engines: requirements-engines.lock $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-engines.lock
	touch $@

# Streamlit and Playwright (requirements-dashboard.lock): for `make dashboard` and the dashboard's tests.
install-dashboard: $(BIN)/.installed-dashboard

$(BIN)/.installed-dashboard: requirements-dashboard.lock $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dashboard.lock
	touch $@

# FastAPI, uvicorn and ruamel.yaml (requirements-service.lock): for `make serve` and the service's tests.
install-service: $(BIN)/.installed-service

$(BIN)/.installed-service: requirements-service.lock $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-service.lock
	touch $@

DATAGEN = $(BIN)/python -m segmentation_tools.datagen --customers $(CUSTOMERS) --transactions $(TRANSACTIONS) \
	--as-of $(AS_OF) --seed $(SEED) --out $(RAW_DIR)
# The month-end cycle (segmentation/run_month.py): build with the data tests, publish only when it
# passes, then the summary with the reject lines; exits non-zero when a step fails.
CYCLE = $(BIN)/python -m segmentation.run_month --as-of $(AS_OF) --raw-dir $(RAW_DIR) \
	--database $(DUCKDB_PATH) --published $(PUBLISHED_PATH) --log-file $(RUN_LOG) $(DEFINITIONS_FLAGS)
BACKFILL = $(CYCLE) --backfill-months $(BACKFILL_MONTHS)

# Demo data into RAW_DIR (default data/demo/raw): refused if RAW_DIR holds files the generator did not write. The
# world only: its campaigns are sent by `make build`'s marketing loop, which needs a warehouse.
data: RAW_DIR = $(DEMO_DIR)/raw
data: install-tools
	$(DATAGEN)

# The monthly cycle as of AS_OF on the files in RAW_DIR, recording the BACKFILL_MONTHS latest
# month-ends as well, in one set-based pass.
backfill: install
	$(BACKFILL)

# Your own data: the monthly cycle as of AS_OF on the files already in RAW_DIR, with the definitions SEGMENTS_FILE and
# CAMPAIGNS_FILE name (none unless given). Never generates data, keeps the warehouse and its history; FULL_REFRESH=1
# stages the whole transactions file again, VARS= passes dbt vars. Like the scheduled build it leaves the dbt unit
# tests, which run on fixtures, to `make test`.
warehouse: install
	$(CYCLE) $(FULL_REFRESH_FLAG) $(VARS_FLAG)

# Copy the working file's marts to $(PUBLISHED_PATH), the file readers open, in one rename (recording SEGMENTS_FILE and
# CAMPAIGNS_FILE as the definitions the build read, when given).
publish: install
	$(BIN)/python -m segmentation.publish --database $(DUCKDB_PATH) --published $(PUBLISHED_PATH) $(DEFINITIONS_FLAGS)

summary: install
	$(BIN)/python -m segmentation.summary --database $(PUBLISHED_PATH)

# A campaign's treatment group to a file, contactability re-checked, recorded in the audit log (segmentation/exports/,
# docs/marketing.md): `make export CAMPAIGN=<id> FORMAT=xlsx|csv FIELDS=customer_id,email`; or a segment's current
# members contactable on a channel: `make export SEGMENT=rfm/champions CHANNEL=email FIELDS=...`. It reads your published
# file (PUBLISHED_PATH) when it exists or when you set PUBLISHED_PATH or DUCKDB_PATH, else the demo's, so it works
# right after `make build`; the summary line names the file it read. OUT=<folder> writes the file elsewhere (the
# audit log stays in exports/ beside the published file). An empty CAMPAIGN or FIELDS is refused with what is allowed.
CAMPAIGN ?=
SEGMENT ?=
CHANNEL ?=
FORMAT ?= xlsx
FIELDS ?=
OUT ?=
EXPORT_DATABASE = $(if $(or $(wildcard $(PUBLISHED_PATH)),$(filter-out file,$(origin PUBLISHED_PATH) $(origin DUCKDB_PATH))),$(PUBLISHED_PATH),$(DEMO_DIR)/published/warehouse.duckdb)
.PHONY: export
export: install
	$(BIN)/python -m segmentation.exports $(if $(SEGMENT),--segment '$(SEGMENT)' --channel '$(CHANNEL)',--campaign '$(CAMPAIGN)') \
		--format '$(FORMAT)' --fields '$(FIELDS)' \
		--database '$(EXPORT_DATABASE)' $(if $(OUT),--out '$(OUT)')

# The dbt docs: every model and column with its description, and the lineage (browse them with
# `DBT_PROFILES_DIR=. .venv/bin/dbt docs serve`). With a built warehouse and its raw files (DUCKDB_PATH and RAW_DIR;
# the demo's: `make docs DUCKDB_PATH=data/demo/warehouse.duckdb RAW_DIR=data/demo/raw`) they add each model's
# compiled SQL and the columns' types as built; without them (a fresh clone) they come from the project alone, against
# the empty in-memory database of profiles.yml's `lint` target, and create no warehouse file.
DOCS_FROM_WAREHOUSE = $(and $(wildcard $(DUCKDB_PATH)),$(wildcard $(RAW_DIR)))
docs: install
	$(if $(DOCS_FROM_WAREHOUSE),$(BIN)/dbt docs generate --vars $(DBT_VARS),\
		$(BIN)/dbt parse --target lint && $(BIN)/dbt docs generate --target lint --no-compile --empty-catalog)

# The benchmark (segmentation_tools/benchmark/): generates CUSTOMERS x TRANSACTIONS once into data/bench/, then times
# BENCH_REPEAT fresh builds and monthly runs; the demo's data and target/ are untouched.
BENCH_REPEAT ?= 3
bench: install-tools
	$(BIN)/python -m segmentation_tools.benchmark --customers $(CUSTOMERS) --transactions $(TRANSACTIONS) --seed $(SEED) \
		--repeat $(BENCH_REPEAT)

# The dashboard (docs/dashboard.md) on the demo's published warehouse, or on yours: `make dashboard
# PUBLISHED_PATH=<published warehouse.duckdb>` (or DUCKDB_PATH=<working file>: its published/ copy). Serves headless
# on 127.0.0.1:DASHBOARD_PORT and prints the address; refuses, naming `make build`, when the file is not there.
DASHBOARD_PORT ?= 8501
DASHBOARD_ADDRESS ?= 127.0.0.1
DASHBOARD_DATABASE = $(if $(filter command line environment,$(origin PUBLISHED_PATH) $(origin DUCKDB_PATH)),$(PUBLISHED_PATH),$(DEMO_DIR)/published/warehouse.duckdb)
dashboard: install-dashboard
	$(BIN)/python -m dashboard.serve --database $(DASHBOARD_DATABASE) --port $(DASHBOARD_PORT) --address $(DASHBOARD_ADDRESS)

# The segment service (docs/service.md): the segmentation API over HTTP on 127.0.0.1:PORT, on the demo's published
# warehouse, or yours with `make serve WAREHOUSE=<published warehouse.duckdb> RAW_DIR=<its raw folder>`. It edits the
# segments file the warehouse was built from (its publication records it; SEGMENTS_FILE=<file> names another, for a
# warehouse built without one) and refreshes through the monthly cycle with the raw folder (the demo's data/demo/raw
# unless you name a WAREHOUSE) and the same definitions. Tokens: `make token ROLE=editor NAME=me`.
PORT ?= 8000
WAREHOUSE ?= $(DEMO_DIR)/published/warehouse.duckdb
SERVE_RAW_DIR = $(if $(filter file,$(origin WAREHOUSE)),$(DEMO_DIR)/raw,$(RAW_DIR))
serve: install-service
	$(BIN)/python -m segmentation.service --warehouse '$(WAREHOUSE)' $(if $(SEGMENTS_FILE),--definitions '$(SEGMENTS_FILE)') \
		--raw-dir '$(SERVE_RAW_DIR)' --port $(PORT)

# A token for the service on WAREHOUSE (the token is the last line printed; it is stored hashed and shown only once):
# `make token ROLE=viewer|editor|admin NAME=<who>`; `make token LIST=1` lists them, `make token REVOKE=<token id>` ends one.
ROLE ?=
NAME ?=
LIST ?=
REVOKE ?=
token: install
	$(BIN)/python -m segmentation.service.tokens --warehouse '$(WAREHOUSE)' \
		$(if $(REVOKE),revoke '$(REVOKE)',$(if $(LIST),list,issue --role '$(ROLE)' --name '$(NAME)'))

clean:
	rm -rf target logs data
