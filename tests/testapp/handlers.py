from apps.pipeline.spine.contracts import get_registry
from apps.pipeline.spine.events import Event
from apps.pipeline.spine.registry import register_handler, unregister_handler
from tests.testapp.models import HandledEvent


def record_handled(event: Event) -> None:
    HandledEvent.objects.create(event_id=event.event_id, event_type=event.event_type)


def register_recording_handler() -> None:
    for event_type in get_registry().topic_of_type:
        register_handler(event_type, record_handled)


def unregister_recording_handler() -> None:
    for event_type in get_registry().topic_of_type:
        unregister_handler(event_type, record_handled)
