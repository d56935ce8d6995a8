import os

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Child processes started by the crash tests record every handled event (see handlers.py).
        if os.environ.get("LAKAY_TEST_RECORD_HANDLED") == "1":
            from tests.testapp.handlers import register_recording_handler

            register_recording_handler()
