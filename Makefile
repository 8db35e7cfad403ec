# Seamscope. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint typecheck schema bench bench-quick bench-disorder bench-memory bench-sla clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install Seamscope with its dev tools

demo: $(STAMP)  ## run the whole pipeline on the embedded stack with simulated traffic (Ctrl-C stops)
	$(BIN)/seamscope demo

test: $(STAMP)  ## lint, type-check and run the whole test suite (end-to-end included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)  ## mypy on the packages
	$(BIN)/mypy

schema: $(STAMP)  ## regenerate schemas/journey_event.schema.json from the model
	$(BIN)/python -m schemas.jsonschema

bench: $(STAMP)  ## run the benchmarks (results in bench/results/)
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)  ## a short benchmark run
	$(BIN)/python -m bench.run --quick

bench-disorder: $(STAMP)  ## 10,000 orders in disorder through 2 workers, checked against the ground truth
	$(BIN)/python -m bench.disorder --orders 10000 --workers 2 --partitions 4

bench-memory: $(STAMP)  ## worker RSS with 100k and 1M open journeys
	$(BIN)/python -m bench.memory --journeys 100000
	$(BIN)/python -m bench.memory --journeys 1000000

bench-sla: $(STAMP)  ## 5,000 live orders with injected failures: stuck-order precision/recall, alert delay
	$(BIN)/python -m bench.sla --orders 5000

clean:  ## remove the virtualenv, caches and the demo's run folder
	rm -rf $(VENV) .seamscope .pytest_cache .mypy_cache .ruff_cache
