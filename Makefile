# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck layers openapi unit services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.demo: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.demo

demo: $(VENV)/.demo
	$(BIN)/nightowl demo

services:
	bash scripts/install-services.sh

lint: $(VENV)/.test
	$(BIN)/ruff check nightowl tests
	$(BIN)/ruff format --check nightowl tests
	@# House style: modules aim at 300 lines, are reviewed at 500, and fail CI above 800.
	@big=$$(find nightowl -name '*.py' -exec wc -l {} + | awk '$$2 != "total" && $$1 > 800'); \
	if [ -n "$$big" ]; then echo "modules over 800 lines:"; echo "$$big"; exit 1; fi

typecheck: $(VENV)/.test
	$(BIN)/mypy nightowl

layers: $(VENV)/.test
	$(BIN)/lint-imports

openapi: $(VENV)/.test
	$(BIN)/python -m nightowl.api.openapi --check docs/openapi.json

unit: $(VENV)/.test
	$(BIN)/pytest -q

test: $(VENV)/.test services lint typecheck layers openapi unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
