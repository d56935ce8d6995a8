"""Compliance test fixtures.

Transactional tests (any app's) truncate every table, including rows loaded by data migrations, and
``--reuse-db`` keeps the result: re-load the FATF lists before each compliance test so geography
rules see the same dated data as a migrated database.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

from apps.compliance.models import JurisdictionRisk
from apps.compliance.selectors.jurisdictions import clear_cache

_fatf = importlib.import_module("apps.compliance.migrations.0003_fatf_lists")


@pytest.fixture(autouse=True)
def fatf_lists(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")  # database access of this test, whatever its kind
        if not JurisdictionRisk.objects.exists():
            for country, kind, start, end, source in _fatf.ROWS:
                JurisdictionRisk.objects.get_or_create(
                    country_code=country,
                    list_kind=kind,
                    effective_from=start,
                    defaults={"effective_to": end, "source": source},
                )
    clear_cache()
    yield
    clear_cache()
