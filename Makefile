# One task runner for newsfacts. `make` sets up .venv and builds + validates the package;
# `make test` runs the tests; `make check` runs lint, types and tests; `make bench` benchmarks validate;
# `make fuzz` runs the mutation fuzzer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all build validate test lint format typecheck check lock clean bench fuzz

all: build validate

# Contributors get everything: the lock pins the runtime, the toolkit extra and the dev extra
# (`pip install newsfacts` alone installs only what reading needs; see README's "Install").
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/newsfacts build

validate: $(STAMP)
	$(BIN)/newsfacts validate

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

format: $(STAMP)
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

# newsfacts validate vs frictionless validate on synthetic packages of 10k, 100k and 1M quotes with injected errors
# (written once under build/bench/); record the table in benchmarks/README.md.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# The long fuzz run: CASES mutated packages of seed SEED, with the figures and one reproducer per
# crash cause (tests/fuzz/). `make fuzz SEED=13 CASE=417` replays one case with its full tracebacks.
SEED ?= 13
CASES ?= 5000
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --seed $(SEED) $(if $(CASE),--case $(CASE),--cases $(CASES))

# Re-resolve the pins from pyproject.toml in a scratch venv and write requirements.lock: the
# dev extra includes the toolkit extra, so the lock pins the runtime, the toolkit and the dev tools.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e ".[toolkit,dev]"
	{ echo "# Pinned dependencies for newsfacts (runtime + toolkit + dev tools). Regenerate with \`make lock\`."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^newsfacts'; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) dist site .pytest_cache .mypy_cache .ruff_cache
