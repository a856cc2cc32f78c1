# geomap: the two commands a new user needs are `make map` and `make test`.
# Both create the virtual environment and install what they need first.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= output
PYTEST_ARGS ?=
SAMPLE ?= samples/reports samples/tables/analyst_incidents.csv

.PHONY: map test bench setup setup-test gazetteer boundaries assets check clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# The tests rebuild the committed data too, so they need the build extras.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,build]'
	touch $@

$(VENV)/.installed-build: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[build]'
	touch $@

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

## map: the main job on the bundled sample reports, writing to output/
map: setup
	$(VENV)/bin/geomap map $(SAMPLE) -o $(OUT)

## test: the whole test suite (browser tests need Debian's chromium);
## PYTEST_ARGS="-n 2 --dist loadfile" spreads it over two processes
test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: every benchmark, printing its figures
bench: setup-test
	$(PY) -m benchmarks

## check: validate the gazetteer
check: setup
	$(VENV)/bin/geomap gazetteer check

## gazetteer / boundaries: rebuild the committed data from installable sources
gazetteer: $(VENV)/.installed-build
	$(PY) scripts/build_gazetteer.py

boundaries: $(VENV)/.installed-build
	$(PY) scripts/build_boundaries.py

clean:
	rm -rf $(VENV) build dist *.egg-info
