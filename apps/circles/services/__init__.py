"""Every write of the circles app (projections from events, scoring, weights)."""
