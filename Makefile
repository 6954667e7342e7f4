# Every target creates the virtual environment it needs: a fresh clone runs
# `make run` or `make test` and nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*.json examples/*.yaml)
AS_OF  ?= 2025-11-28
EMPLOYEES ?= 2000

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/attendance import $(EXAMPLES)
	$(BIN)/attendance worklist --as-of $(AS_OF)

test: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.run --employees $(EMPLOYEES) --output BENCHMARKS.md

clean:
	rm -rf $(VENV) attendance.db *.egg-info
