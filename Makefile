# nastavnik: `make run` serves the demo, `make test` runs everything. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX_VERSION := 2.0.8
HTMX := nastavnik/static/vendor/htmx.min.js
# Checkers of the browser stage (never shipped with the app): axe-core in the page, the Nu Html Checker on Java.
AXE_VERSION := 4.14.1
VNU_VERSION := 26.9.27
AXE := .make/axe-core-$(AXE_VERSION).min.js
VNU := .make/vnu-$(VNU_VERSION).jar
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suites run on every core (at most 4): pytest-xdist workers, each with its own database.
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 4 ] && n=4; echo $$n)
export PYTEST_WORKERS := $(WORKERS)
export FLASK_APP := wsgi.py

.PHONY: setup run test lint test-sqlite test-postgres test-browser bench bench-postgres clean

setup: $(STAMP) $(HTMX)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# htmx is served by the app itself (intranet, no CDN): taken from the npm package at a pinned version.
$(HTMX):
	mkdir -p .make $(dir $(HTMX))
	cd .make && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null
	tar -xzf .make/htmx.org-$(HTMX_VERSION).tgz -C .make package/dist/htmx.min.js
	cp .make/package/dist/htmx.min.js $(HTMX)

$(AXE):
	mkdir -p .make
	cd .make && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf .make/axe-core-$(AXE_VERSION).tgz -C .make package/axe.min.js
	mv .make/package/axe.min.js $(AXE)

$(VNU):
	mkdir -p .make
	cd .make && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null
	tar -xzf .make/vnu-jar-$(VNU_VERSION).tgz -C .make package/build/dist/vnu.jar
	mv .make/package/build/dist/vnu.jar $(VNU)

run: setup
	$(BIN)/flask db upgrade heads
	$(BIN)/flask nastavnik demo --if-empty
	@echo "nastavnik: http://$(HOST):$(PORT)/  (Ctrl+C — остановить)"
	$(BIN)/waitress-serve --host $(HOST) --port $(PORT) --threads 8 wsgi:app

lint: setup
	$(BIN)/ruff check .

test-sqlite: setup
	@echo "== pytest on SQLite"
	$(BIN)/pytest -q -m "not browser" -n $(WORKERS)

test-postgres: setup
	@bash .ci/test-postgres.sh

test-browser: setup $(AXE) $(VNU)
	@NASTAVNIK_AXE=$(AXE) NASTAVNIK_VNU=$(VNU) bash .ci/test-browser.sh

test: lint test-sqlite test-postgres test-browser
	@echo "== make test: done"

# Every benchmark runs even when one fails; the target fails if any did. Region-scale data:
# bench/region.py (a cached SQLite file, or NASTAVNIK_BENCH_DATABASE_URL).
BENCHMARKS := bench_matching bench_matching_db bench_lists bench_dashboard bench_exports bench_monitoring bench_reports bench_load

bench: setup
	@status=0; for name in $(BENCHMARKS); do echo "== $$name"; $(BIN)/python bench/$$name.py || status=1; done; exit $$status

bench-postgres: setup
	@bash .ci/bench-postgres.sh

clean:
	rm -rf $(VENV) .make $(dir $(HTMX)) .pytest_cache .ruff_cache
