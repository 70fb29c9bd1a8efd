# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck layers openapi unit wheel-check services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The product and the lab (lab/: demo, eval, bench, scenarios, sandbox) are two distributions.
$(VENV)/.demo: pyproject.toml lab/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e . -e ./lab
	touch $@

$(VENV)/.test: pyproject.toml lab/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]' -e './lab[drift]'
	@# Real MCP servers the tests start, each in its own environment as MCP servers are run
	@# (prometheus-mcp-server's fastmcp needs cachetools>=5, drain3 pins cachetools==4.2.1).
	test -x $(VENV)/mcp-servers/bin/python || $(PYTHON) -m venv $(VENV)/mcp-servers
	$(VENV)/mcp-servers/bin/pip install --quiet 'prometheus-mcp-server>=1.6.2,<2'
	@# MLflow's tracking server for the registry tests, in its own environment (its pins are many).
	test -x $(VENV)/mlflow/bin/python || $(PYTHON) -m venv $(VENV)/mlflow
	$(VENV)/mlflow/bin/pip install --quiet 'mlflow>=2.14,<4'
	touch $@ $(VENV)/.demo

demo: $(VENV)/.demo
	$(BIN)/nightowl demo

services:
	bash scripts/install-services.sh

lint: $(VENV)/.test
	$(BIN)/ruff check nightowl lab tests
	$(BIN)/ruff format --check nightowl lab tests
	@# House style: modules aim at 300 lines, are reviewed at 500, and fail CI above 800.
	@big=$$(find nightowl lab -name '*.py' -exec wc -l {} + | awk '$$2 != "total" && $$1 > 800'); \
	if [ -n "$$big" ]; then echo "modules over 800 lines:"; echo "$$big"; exit 1; fi

typecheck: $(VENV)/.test
	$(BIN)/mypy nightowl lab/nightowl_lab

layers: $(VENV)/.test
	$(BIN)/lint-imports

openapi: $(VENV)/.test
	$(BIN)/python -m nightowl.api.openapi --check docs/openapi.json

# Four pytest workers on CI's two cores: most tests wait on servers and subprocesses, not the CPU.
# One module per worker at a time (--dist loadfile), so a module's servers start once. The tests
# marked `serial` time a live system against thresholds (the sandbox's recovery, the guide's
# diagnosis), so they run alone afterwards, not beside three other workers.
PYTEST_WORKERS ?= 4
unit: $(VENV)/.test
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m "not serial"
	$(BIN)/pytest -q -p no:xdist -m serial

# Build the sdists and wheels, install the wheels into a fresh venv, run --version and the demo.
wheel-check: $(VENV)/.test
	PYTHON=$(BIN)/python bash scripts/wheel-check.sh

test: $(VENV)/.test services lint typecheck layers openapi unit wheel-check

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache dist
