# Set-up and the two jobs of the README. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('pyproject.toml','rb').read()).hexdigest()[:10])")
export MPLBACKEND := Agg
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser report test docs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	rm -f $(VENV)/.installed-* && touch $@

# The report page is tested in Debian's chromium (no browser download): install it if missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

report: $(STAMP)
	$(BIN)/photosc report K3C60

test: $(STAMP) browser
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
