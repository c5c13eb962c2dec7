# One task runner for newsfacts. `make` sets up .venv and builds + validates the package;
# `make test` runs the tests; `make check` runs lint, types and tests; `make bench` benchmarks validate and site;
# `make fuzz` runs the mutation fuzzer; `make screenshot` redraws the explorer's screenshot in the docs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# datapackage-py, the independent Data Package v1 client the tests read the release with, in its own venv.
V1_VENV := .venv-v1client
V1_STAMP := $(V1_VENV)/.installed

.PHONY: all build validate test lint format typecheck check lock lock-v1client clean bench fuzz screenshot

all: build validate

# Contributors get everything: the lock pins the runtime, the toolkit extra and the dev extra
# (`pip install newsfacts` alone installs only what reading needs; see README's "Install").
$(STAMP): requirements.lock pyproject.toml
	scripts/install-build-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/newsfacts build

validate: $(STAMP)
	$(BIN)/newsfacts validate

$(V1_STAMP): requirements-v1client.lock
	$(PYTHON) -m venv $(V1_VENV)
	$(V1_VENV)/bin/python -m pip install --quiet -r requirements-v1client.lock
	touch $(V1_STAMP)

test: $(STAMP) $(V1_STAMP)
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
# (written once under build/bench/), and newsfacts site of the real package and of a clean 10k-quote one;
# record the tables in benchmarks/README.md.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# The long fuzz run: CASES mutated packages of seed SEED, with the figures and one reproducer per
# crash cause (tests/fuzz/). `make fuzz SEED=13 CASE=417` replays one case with its full tracebacks.
SEED ?= 13
CASES ?= 5000
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --seed $(SEED) $(if $(CASE),--case $(CASE),--cases $(CASES))

# docs/img/explorer-article.png: the first screenful (1200x900) of the bundled package's first article in
# `newsfacts site`, in Debian's Chromium (tests/test_explorer_browser.py). Redraw it when the explorer's look
# changes, look at it, and commit it; an ordinary test run writes screenshots only to build/screenshots/.
screenshot: $(STAMP)
	NEWSFACTS_UPDATE_SCREENSHOT=1 $(BIN)/pytest tests/test_explorer_browser.py -q -k test_screenshots_of_every_kind_of_page

# Re-resolve the pins from pyproject.toml in a scratch venv and write requirements.lock: the
# dev extra includes the toolkit extra, so the lock pins the runtime, the toolkit and the dev tools.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e ".[toolkit,dev]"
	{ echo "# Pinned dependencies for newsfacts (runtime + toolkit + dev tools). Regenerate with \`make lock\`."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^newsfacts'; } > requirements.lock
	rm -rf .lock-venv

# Re-resolve the v1 client's pins in a scratch venv and write requirements-v1client.lock.
lock-v1client:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet "datapackage==1.15.4"
	{ head -3 requirements-v1client.lock; .lock-venv/bin/python -m pip freeze; } > requirements-v1client.lock.new
	mv requirements-v1client.lock.new requirements-v1client.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(V1_VENV) dist site .pytest_cache .mypy_cache .ruff_cache
