# The two commands (see README.md):
#   make build   install, generate the demo data, dbt build, print the segment summary
#   make test    the whole test suite
# Both need only python3 and make; everything else is installed into .venv from requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

CUSTOMERS ?= 50000
TRANSACTIONS ?= 13500000
SEED ?= 42
AS_OF ?= $(shell date -u +%Y-%m-%d)
RAW_DIR ?= data/raw
export DUCKDB_PATH ?= data/warehouse.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

DBT_VARS := '{raw_data_dir: "$(RAW_DIR)", as_of_date: "$(AS_OF)"}'

.PHONY: build test install data fresh-warehouse warehouse summary docs clean

# The demo data is generated relative to AS_OF, so a new demo gets a new warehouse: keeping the
# old file would record every regenerated customer as a changed profile in the snapshot.
build: data fresh-warehouse warehouse summary

test: install
	$(BIN)/python -m pytest

install: $(BIN)/.installed

# Re-installs only when the lock file changes.
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

data: install
	$(BIN)/python scripts/generate_data.py --customers $(CUSTOMERS) --transactions $(TRANSACTIONS) \
		--as-of $(AS_OF) --seed $(SEED) --out $(RAW_DIR)

fresh-warehouse:
	rm -f $(DUCKDB_PATH) $(DUCKDB_PATH).wal

warehouse: install
	mkdir -p $(dir $(DUCKDB_PATH))
	$(BIN)/dbt build --vars $(DBT_VARS)

summary: install
	$(BIN)/python scripts/segment_summary.py --database $(DUCKDB_PATH)

docs: install
	$(BIN)/dbt docs generate --vars $(DBT_VARS)

clean:
	rm -rf target logs data
