# The two commands of the README's quick start, and a few helpers.
# Everything installs into ./.venv; nothing is needed beyond Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

## run: install, migrate the embedded SQLite database (./followup.db) and serve on 127.0.0.1:8000
run: $(VENV)/.installed
	$(BIN)/followup serve --host $(HOST) --port $(PORT)

## test: install with the test extras and run the whole suite
test: $(VENV)/.installed-test
	$(BIN)/pytest

## bench: the benchmarks (each prints its figures and exits non-zero on a miss)
bench: $(VENV)/.installed-test
	$(BIN)/python bench/plan_bench.py
	$(BIN)/python bench/render_bench.py
	$(BIN)/python bench/actions_route.py
	$(BIN)/python bench/message_route.py
	$(BIN)/python bench/due_list.py
	$(BIN)/python bench/list_filters.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/tail_model.py

## openapi: regenerate the committed contract
openapi: $(VENV)/.installed
	$(BIN)/followup openapi -o openapi/openapi.json

clean:
	rm -rf $(VENV) .pytest_cache test-results
