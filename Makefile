# The two set-up commands: `make run` (main job) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench sysdeps docs clean report

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/abscopal protocol list

# Every built-in trial's report (HTML and PDF, demo data) into reports/ (gitignored).
TRIALS = $(shell $(BIN)/python -c "from abscopal.datasets import list_trial_ids; print(' '.join(list_trial_ids()))" 2>/dev/null)
report: $(STAMP)
	@for t in $(TRIALS); do \
	  $(BIN)/abscopal report $$t --format html --out reports || exit 1; \
	  $(BIN)/abscopal report $$t --format pdf --out reports || exit 1; \
	done

sysdeps:
	bash scripts/sysdeps.sh

check: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH bash scripts/check

test: $(STAMP) sysdeps
	PATH=$(CURDIR)/$(BIN):$$PATH bash scripts/check
	PATH=$(CURDIR)/$(BIN):$$PATH bash scripts/test

bench: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH bash scripts/bench

docs: $(STAMP)
	$(BIN)/python tools/gen_reference.py
	$(BIN)/python tools/gen_cli_reference.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
