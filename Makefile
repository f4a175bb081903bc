# Two commands set everything up on a fresh machine with Python >= 3.11 and make:
#   make demo   creates .venv, installs innometrics, runs the main jobs on bundled data
#   make test   creates .venv if needed, installs the test extras, runs the whole test suite
#   make test-fast  the same without the Spark, browser and slow tests (the quick loop; one test
#                   file per worker, so a module's fixtures are built once: half the time of
#                   spreading single tests)
#   make mutation  mutation testing of the core formulas, module by module (slow; not in make test)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= demo-output

.PHONY: demo test test-fast bench mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test,spark]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/innometrics demo --out $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not spark and not browser and not slow" -n auto --dist loadfile

$(VENV)/.installed-mutation: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[test,mutation]'
	touch $@

# MODULES="panel/trends.py views/clusters.py" to run some; JOBS=2 for two mutants at a time
mutation: $(VENV)/.installed-mutation
	$(BIN)/python tools/mutation.py --jobs $(or $(JOBS),1) $(MODULES)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache test-artifacts .mutation
