"""The hostile corpus through ``ingest_batch``: every message stored, a duplicate, or dead-lettered with its reason."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings

from apps.pipeline.spine.ingest import InboundMessage, ingest_batch
from apps.pipeline.spine.models import DeadLetter, RawEvent
from tests.hostile.corpus import DEAD_LETTERED, DUPLICATE, STORED, Case, build_corpus

pytestmark = pytest.mark.django_db

_offsets = itertools.count()


def inbound(case: Case) -> InboundMessage:
    return InboundMessage(topic=case.topic, value=case.value, partition=0, offset=next(_offsets), key=case.key)


def corpus() -> list[Case]:
    return build_corpus(max_bytes=settings.EVENT_MAX_BYTES)


def test_the_corpus_is_big_and_covers_every_outcome():
    cases = corpus()

    assert len(cases) >= 85
    assert len({case.name for case in cases}) == len(cases)
    assert {case.expect for case in cases} == {STORED, DUPLICATE, DEAD_LETTERED}


@pytest.mark.parametrize("name", [case.name for case in corpus() if not case.name.startswith("duplicate_")])
def test_each_case_alone(name):
    case = next(case for case in corpus() if case.name == name)

    outcome = ingest_batch([inbound(case)]).outcomes[0]

    assert (outcome.status, outcome.reason) == (case.expect, case.reason), outcome.error
    if case.expect == DEAD_LETTERED:
        dead_letter = DeadLetter.objects.get()
        assert dead_letter.reason == case.reason
        assert dead_letter.error_message
        assert bytes(dead_letter.raw_value) == (case.value or b"")
        assert RawEvent.objects.count() == 0
    else:
        assert RawEvent.objects.count() == 1
        assert DeadLetter.objects.count() == 0


def test_the_whole_corpus_in_one_batch_loses_nothing_and_poisons_nothing():
    # Given every hostile message in one batch, as the consumer would poll them
    cases = corpus()

    # When the batch is ingested
    result = ingest_batch([inbound(case) for case in cases])

    # Then each got its own answer, and produced == stored + duplicates + dead-lettered
    outcomes = zip(cases, result.outcomes, strict=True)
    answers = {case.name: (outcome.status, outcome.reason) for case, outcome in outcomes}
    expected = {case.name: (case.expect, case.reason) for case in cases}
    assert answers == expected
    assert len(cases) == RawEvent.objects.count() + result.duplicates + DeadLetter.objects.count()
    assert RawEvent.objects.count() == sum(case.expect == STORED for case in cases)
    assert DeadLetter.objects.count() == sum(case.expect == DEAD_LETTERED for case in cases)


def test_hostile_text_echoed_into_a_dead_letter_is_made_storable():
    # Given a message key with NUL and invalid UTF-8, and an event type and version holding NUL
    messages = [
        InboundMessage("trebanx.user.events", b'{"event_type": "a\\u0000b"}', 0, next(_offsets), b"k\x00\xff"),
        InboundMessage(
            "trebanx.user.events",
            b'{"event_type": "login-success", "event_version": "1\\u0000", "event_id": "\\u0000"}',
            0,
            next(_offsets),
        ),
    ]

    ingest_batch(messages)

    unknown_type, unknown_version = DeadLetter.objects.order_by("id")
    assert unknown_type.message_key == "k\\x00\ufffd"
    assert unknown_type.event_type == "a\\x00b"
    assert unknown_type.error_details == {"event_type": "a\\x00b"}
    assert unknown_version.error_details["event_version"] == "1\\x00"
    assert unknown_version.event_id == "\\x00"


def test_one_event_id_with_two_contents_in_one_batch_is_a_conflict_not_a_silent_duplicate():
    # Regression: the second content used to be answered "duplicate" and dropped without a dead letter.
    cases = {case.name: case for case in corpus()}
    first, other = cases["duplicate_first"], cases["duplicate_other_content"]

    result = ingest_batch([inbound(first), inbound(other)])

    assert [outcome.status for outcome in result.outcomes] == [STORED, DEAD_LETTERED]
    assert DeadLetter.objects.get().reason == "event_id_conflict"
