# Lakay Intelligence — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A pyenv shim named python3.12 may exist without a 3.12 selected, so take the first candidate that runs.
PYTHON312 ?= $(shell for p in $$(command -v python3.12 2>/dev/null) $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12 2>/dev/null | sort -rV); do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
VENV := .venv
UV_VERSION := 0.13.9

.PHONY: help install run test lint bench chaos clean

help:
	@echo "make run    — install, start services, migrate, and run every process (+ traffic simulator)"
	@echo "make test   — the whole suite against real PostgreSQL, Redis, tansu, moto S3 and MLflow"
	@echo "make lint   — ruff, mypy, import-linter, makemigrations --check"
	@echo "make bench  — the benchmarks under benchmarks/"
	@echo "make chaos  — fault injection: kill -9, PostgreSQL stop, Redis flush; nothing lost or doubled"

$(VENV)/.installed: requirements.lock requirements-dev.lock
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (set PYTHON312=/path/to/python3.12)"; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON312) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)" 2>&1 | grep -v "is ignored" || true
	VIRTUAL_ENV=$(VENV) $(VENV)/bin/uv pip sync -q requirements.lock requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

run: install
	@scripts/run.sh

test: install
	@scripts/test.sh $(ARGS)

lint: install
	@scripts/lint.sh

bench: install
	@scripts/bench.sh $(ARGS)

chaos: install
	@scripts/chaos.sh $(ARGS)

clean:
	rm -rf var/run var/prometheus var/test
