"""Scenarios: planted sequences with ground-truth labels (``base``), the registry, two examples."""
