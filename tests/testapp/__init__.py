"""A Django app installed only by the test settings: a recording handler to count domain effects."""
