# Two commands for a fresh machine (Python >= 3.11 with venv and pip):
#   make serve   install what serving needs, build the graph and start the SPARQL endpoint on http://127.0.0.1:8000/
#   make test    install the test toolchain too, lint (ruff), type-check (mypy) and run the whole test suite
#   make screenshots  redraw docs/img (the notebooks' figures and the query page)
#   make wheel-smoke  build the wheel and sdist, install the wheel outside the clone and run it from elsewhere
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint setup setup-serve build clean screenshots wheel-smoke

# Serving needs the package and its own dependencies only; testing adds the test toolchain (the notebooks' extras,
# pytest, ruff, mypy, Playwright ...). Each install is remembered by a stamp in the venv, redone when pyproject.toml
# changes; the test install also counts as the serving one.
$(VENV)/.installed-serve: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-serve

setup-serve: $(VENV)/.installed-serve

setup: $(VENV)/.installed-test

serve: setup-serve
	$(BIN)/policykg serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check src server tests bench
	$(BIN)/mypy

# One worker per core (pytest-xdist); --dist loadscope keeps each test module on one worker, so a module's fixtures
# (a Virtuoso, a server) start once. Each worker compiles the graphs once (tests/build_fixtures.py). TEST_WORKERS=0
# runs in one process.
TEST_WORKERS ?= auto

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

build: setup-serve
	$(BIN)/policykg build

# What CI runs after `make test`: tests/test_wheel.py (python -m build, a fresh venv, policykg run from elsewhere)
wheel-smoke: setup
	VENV=$(VENV) bash .ci/wheel-smoke

# The notebooks' figures and the query page as PNG files in docs/img (figures byte-identical for the same build)
screenshots: setup
	$(BIN)/python -m policykg.analysis.screenshots --out docs/img

clean:
	rm -rf build .build-store dist .pytest_cache .mypy_cache .ruff_cache
