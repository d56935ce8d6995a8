from django.db import models


class HandledEvent(models.Model):
    """One row per handler call (deliberately NOT unique: a double application shows as two rows)."""

    event_id = models.UUIDField(db_index=True)
    event_type = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
