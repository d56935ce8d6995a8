"""Normal traffic, written as activities (generators that emit events and yield waits)."""
