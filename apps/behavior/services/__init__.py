"""Every write of the behaviour domain goes through these services (handlers and views only call them)."""
