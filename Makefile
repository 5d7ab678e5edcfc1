# Two commands: `make demo` and `make test`. Everything installs into .venv from pyproject.toml
# (and .venv-peer, where dbgen makes the TPC-H data tests/tpch reads, built once).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The TPC-H peer (benchmarks/tpch): DuckDB's extension wheels exist for DuckDB 1.5.5 only, so the
# peer lives in its own venv. Engine code never imports it.
PEER_VENV := .venv-peer
PEER_STAMP := $(PEER_VENV)/.installed
PEER_PACKAGES := duckdb==1.5.5 duckdb-extension-tpch==1.5.5 duckdb-extension-sqlite==1.5.5 \
	duckdb-extension-lance==1.5.5 pyarrow==26.0.1 psutil==7.2.2

# a machine may set PYTHONDONTWRITEBYTECODE: every test's subprocess (notebook kernels, other
# writers) then compiled duckdb, pyarrow and lancedb again, 9 s an import instead of 4.5 s
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test bench bench-quick bench-tpch bench-routing bench-cache peer-venv lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# --no-compile: byte-compiling every installed file took half the install (30 of 60 s);
	# Python compiles the modules a run imports on first use
	$(BIN)/pip install --quiet --no-compile -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m federation.demo

lint: $(STAMP)
	$(BIN)/ruff check federation grammar planner tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# two workers (the 2 cores), each test file on one of them (its module fixtures built once):
# 6 min instead of 10.6 on a machine where one process ran the suite in 639 s
test: $(STAMP) $(PEER_STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile

$(PEER_STAMP): Makefile
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/pip install --quiet $(PEER_PACKAGES)
	touch $(PEER_STAMP)

peer-venv: $(PEER_STAMP)

bench: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.cache_bench

bench-quick: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m benchmarks.run --quick

bench-tpch: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m benchmarks.run --suite tpch

# the routing benchmark (benchmarks/routing.py); the peer venv generates its TPC-H data
bench-routing: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m benchmarks.routing
	$(BIN)/python -m benchmarks.q19_one_sqlite

# the result cache (benchmarks/cache_bench.py): hits, version checks, misses against cache off
bench-cache: $(STAMP)
	$(BIN)/python -m benchmarks.cache_bench

clean:
	rm -rf $(VENV) $(PEER_VENV) .pytest_cache .mypy_cache .ruff_cache
