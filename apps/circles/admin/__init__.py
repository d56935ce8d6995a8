"""Admin registrations of the circles app (one module per model group)."""

from apps.circles.admin import circle, health

__all__ = ["circle", "health"]
