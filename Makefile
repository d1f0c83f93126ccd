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

# Benchmarks (docs/performance.md): they start real servers the way `make run` does, on scratch
# databases they create and drop. They need wrk (apt-get install wrk). `make bench` runs all of
# them on SQLite and on the PostgreSQL server at $(BENCH_PG) (about 40 minutes).
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432/postgres
# The SQLite run of each benchmark: the scripts read YIWANG_BENCH_DATABASE_URL as their default.
SQLITE := YIWANG_BENCH_DATABASE_URL=
.PHONY: bench-submission bench-reads bench-workflow bench-decisions bench-hotline bench-scaleout

bench: setup
	$(BIN)/python benchmarks/http_baseline.py --seconds 8
	$(MAKE) bench-submission bench-reads bench-prefill bench-spike bench-crash bench-workflow \
		bench-decisions bench-hotline bench-scaleout YIWANG_BENCH_DATABASE_URL="$${YIWANG_BENCH_DATABASE_URL:-$(BENCH_PG)}"

# 1. Submissions/s at rising concurrency against the baseline app's ceiling (docs/submission*.svg).
bench-submission: setup
	$(SQLITE) $(BIN)/python benchmarks/submission.py --workers 2 --svg docs/submission-sqlite.svg
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/submission.py --workers 2 --svg docs/submission-postgresql.svg \
			--database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

# 2. Read paths: service guide, prefill, application status, staff inbox.
bench-reads: setup
	$(SQLITE) $(BIN)/python benchmarks/readpaths.py --workers 2
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/readpaths.py --workers 2 \
			--database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

# 6. The workflow engine against SpiffWorkflow (a benchmark-only dependency, the `bench` extra).
bench-workflow: setup
	$(SQLITE) $(BIN)/python benchmarks/workflow_peer.py --seconds 10
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/workflow_peer.py --seconds 10 \
			--database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

# Staff decisions: one officer at a time, then one per department at once (API, then the
# workbench's form).
bench-decisions: setup
	$(SQLITE) $(BIN)/python benchmarks/decisions.py
	$(SQLITE) $(BIN)/python benchmarks/decisions.py --web
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/decisions.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

# 12345 in a crisis: tickets/s at rising concurrency, many about the same flooded places.
bench-hotline: setup
	$(SQLITE) $(BIN)/python benchmarks/hotline.py
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/hotline.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

# 7. Two app processes and two workers on one PostgreSQL against one of each.
bench-scaleout: setup
	$(BIN)/python benchmarks/scaleout.py --seconds 15 --rounds 2 \
		--database-url "$${YIWANG_BENCH_DATABASE_URL:-$(BENCH_PG)}"

bench-prefill: setup
	$(SQLITE) $(BIN)/python benchmarks/prefill.py
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/prefill.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

clean:
	rm -rf $(VENV) var .pytest_cache

# Spike (10x the sustainable rate for 30 s) and crash (kill -9 mid-load, restart) benchmarks:
# an open-loop load generator of their own, no wrk. Each run takes under ~3 minutes; bench-spike
# redraws docs/spike.svg, spike-read.svg and spike-signin.svg. YIWANG_BENCH_DATABASE_URL=postgresql://… adds
# a PostgreSQL run (in a scratch database each creates and drops).
.PHONY: bench-spike bench-crash

bench-spike: setup
	$(SQLITE) $(BIN)/python benchmarks/spike.py
	$(SQLITE) $(BIN)/python benchmarks/spike.py --target read
	$(SQLITE) $(BIN)/python benchmarks/spike.py --target signin
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/spike.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi

bench-crash: setup
	$(SQLITE) $(BIN)/python benchmarks/crash.py
	@if [ -n "$$YIWANG_BENCH_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/crash.py --database-url "$$YIWANG_BENCH_DATABASE_URL"; fi
