"""The audit chain: hash-linked, append-only, and any edited or removed row is detected."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from apps.compliance.models import AuditEntry
from apps.compliance.services.audit import GENESIS_HASH, audit_append, audit_chain_verify, chain_hash
from tests.compliance.factories import officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    actor = officer()
    with transaction.atomic():
        for number in range(5):
            audit_append(actor=actor, action="note_added", summary=f"note {number}", details={"n": number})
    return list(AuditEntry.objects.order_by("sequence"))


def raw(sql: str, params: list) -> None:
    """Tamper as a database superuser would: with the append-only trigger bypassed."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def test_each_entry_hashes_the_previous_one(chain):
    assert chain[0].previous_hash == GENESIS_HASH
    assert [entry.sequence for entry in chain] == [1, 2, 3, 4, 5]
    for previous, entry in itertools.pairwise(chain):
        assert entry.previous_hash == previous.entry_hash
        assert entry.entry_hash == chain_hash(previous.entry_hash, entry)
    assert audit_chain_verify().is_intact


def test_the_database_refuses_updates_and_deletes(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(sequence=2).update(summary="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(sequence=2).delete()


def test_an_edited_row_is_detected(chain, capsys):
    raw("UPDATE compliance_auditentry SET summary = %s WHERE sequence = %s", ["nothing to see", 3])

    result = audit_chain_verify()

    assert (result.is_intact, result.first_broken_sequence) == (False, 3)
    with pytest.raises(CommandError, match="BROKEN at sequence 3"):
        call_command("verify_audit_chain")


def test_an_edited_detail_is_detected(chain):
    raw("UPDATE compliance_auditentry SET details = %s WHERE sequence = %s", ['{"n": 99}', 4])

    assert audit_chain_verify().first_broken_sequence == 4


def test_a_deleted_row_is_detected(chain):
    raw("DELETE FROM compliance_auditentry WHERE sequence = %s", [2])

    result = audit_chain_verify()

    assert (result.is_intact, result.first_broken_sequence) == (False, 2)


def test_the_command_reports_an_intact_chain(chain, capsys):
    call_command("verify_audit_chain")

    assert "audit chain intact: 5 entries" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_audit_needs_the_transaction_of_the_change():
    with pytest.raises(RuntimeError):
        audit_append(actor=None, action="x", summary="outside a transaction")
