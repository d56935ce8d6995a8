"""Per-process serving state: the loaded boosters, the buffers of metrics, and the thread that tends them.

Nothing here is the source of truth (MLflow holds the models, PostgreSQL the metrics); a process that
restarts rebuilds it within seconds.
"""
