"""Every write of the fraud domain (scoring, alerts, activity projections)."""
