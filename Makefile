# Set-up and the two jobs of the README. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('pyproject.toml','rb').read()).hexdigest()[:10])")
export MPLBACKEND := Agg

.PHONY: setup report test docs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	rm -f $(VENV)/.installed-* && touch $@

report: $(STAMP)
	$(BIN)/photosc report K3C60

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/photosc
	$(BIN)/python -m pytest -n 2 tests
	$(BIN)/mkdocs build --strict --quiet

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(STAMP)
	cd benchmarks && for f in bench_*.py; do OMP_NUM_THREADS=1 ../$(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) photosc-out build .pytest_cache .mypy_cache .ruff_cache
