#!/usr/bin/env bash
# Static checks: ruff, mypy, import-linter layer contracts, migrations in sync, Django system checks, bandit.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin
echo "lint: ruff"; $V/ruff check --quiet .
echo "lint: ruff format"; $V/ruff format --check --quiet .
echo "lint: mypy"; $V/mypy --no-error-summary . 
echo "lint: import-linter"; $V/lint-imports --no-cache >/dev/null || $V/lint-imports --no-cache
echo "lint: makemigrations --check"; $V/python manage.py makemigrations --check --dry-run >/dev/null
echo "lint: django check"; $V/python manage.py check --fail-level WARNING >/dev/null
echo "lint: bandit"; $V/bandit -q -c pyproject.toml -r apps lakay deploy manage.py
