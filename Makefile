# yiwang: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test lint format migrate seed clean bench bench-prefill

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "yiwang needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/yiwang migrate

seed: migrate
	$(BIN)/yiwang seed-demo
	$(BIN)/yiwang complaints retrain --if-missing

run: seed
	$(BIN)/yiwang serve --demo-systems

test: setup
	$(BIN)/pytest -n auto

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks need wrk (apt-get install wrk). YIWANG_BENCH_DATABASE_URL=postgresql://… adds a
# PostgreSQL run of the prefill benchmark (in a scratch database it creates and drops).
bench: setup
	$(BIN)/python benchmarks/http_baseline.py --seconds 8
	$(MAKE) bench-prefill

bench-prefill: setup
	$(BIN)/python benchmarks/prefill.py
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/prefill.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

clean:
	rm -rf $(VENV) var .pytest_cache

# Spike (10x the sustainable rate for 30 s) and crash (kill -9 mid-load, restart) benchmarks:
# an open-loop load generator of their own, no wrk. Each run takes under ~3 minutes; bench-spike
# redraws docs/spike.svg and docs/spike-read.svg. YIWANG_BENCH_DATABASE_URL=postgresql://… adds
# a PostgreSQL run (in a scratch database each creates and drops).
.PHONY: bench-spike bench-crash

bench-spike: setup
	$(BIN)/python benchmarks/spike.py
	$(BIN)/python benchmarks/spike.py --target read
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/spike.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

bench-crash: setup
	$(BIN)/python benchmarks/crash.py
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/crash.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi
