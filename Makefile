# Two commands for a fresh machine (Python >= 3.11 with venv and pip):
#   make serve   set up, build the graph and start the SPARQL endpoint on http://127.0.0.1:8000/
#   make test    set up, lint (ruff), type-check (mypy) and run the whole test suite
#   make screenshots  redraw docs/img (the notebooks' figures and the query page)
#   make wheel-smoke  build the wheel and sdist, install the wheel outside the clone and run it from elsewhere
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint setup build clean screenshots wheel-smoke

$(BIN)/policykg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/policykg

serve: setup
	$(BIN)/policykg serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check src server tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

build: setup
	$(BIN)/policykg build

# What CI runs after `make test`: tests/test_wheel.py (python -m build, a fresh venv, policykg run from elsewhere)
wheel-smoke: setup
	VENV=$(VENV) bash .ci/wheel-smoke

# The notebooks' figures and the query page as PNG files in docs/img (figures byte-identical for the same build)
screenshots: setup
	$(BIN)/python -m policykg.analysis.screenshots --out docs/img

clean:
	rm -rf build .build-store dist .pytest_cache .mypy_cache .ruff_cache
