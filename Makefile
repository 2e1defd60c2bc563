# Two commands on a fresh machine (Python 3.11 + pip): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SEEDS ?= ../shared/seeds

.PHONY: run test setup bench schema lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job on the embedded default: console adapter, SQLite ledger, no tokens, no network.
run: $(STAMP)
	$(BIN)/briefbot validate $(if $(wildcard $(SEEDS)),--archive $(SEEDS))
	$(BIN)/briefbot brief china
	$(BIN)/briefbot digest --preview
	$(BIN)/briefbot run

## The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench --select F
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_slack.py --briefs briefs --rounds 3 --requests 1000
	$(BIN)/python bench/discord_roundtrip.py
	$(BIN)/python bench/bench_digest.py
	$(BIN)/python bench/reload_latency.py briefs
	$(BIN)/python bench/bench_faults.py
	$(BIN)/python bench/fuzz_store.py --briefs briefs --count 4000 --seed 14

schema: $(STAMP)
	$(BIN)/briefbot schema --out schema

clean:
	rm -rf $(VENV) state .pytest_cache
