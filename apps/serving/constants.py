"""Fixed numbers of the serving app (tunable values are live parameters in ``parameters.py``)."""

from __future__ import annotations

import math

# Routing: sha256(user_id) mod ROUTING_BUCKETS; buckets below the challenger share go to the challenger.
ROUTING_BUCKETS = 100

# Drift reference: at most this many bins per feature (quantile edges of the training data).
REFERENCE_BINS = 10
# Proportions are floored here before the logarithm of the PSI (an empty bin is not infinite drift).
PSI_FLOOR = 1e-6
# The score's pseudo-feature name in drift tables.
SCORE_FEATURE = "__score__"

# Per-variant score distribution: 20 equal-width bins over [0, 1].
SCORE_HISTOGRAM_BINS = 20
# Scoring latency histogram: upper bounds in milliseconds (the last bucket is open).
LATENCY_BUCKETS_MS: tuple[float, ...] = (
    0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, math.inf,
)  # fmt: skip

# Redis channel counters: a process reloads its models / experiments when they move.
MODEL_GENERATION_KEY = ("serving", "model-generation")
EXPERIMENT_GENERATION_KEY = ("serving", "experiment-generation")
DRIFT_PENDING_KEY = "serving:drift-pending"

# A process checks the Redis counters at most this often (seconds).
GENERATION_CHECK_SECONDS = 1.0
# Users remembered per process as already assigned (so assignments are buffered once).
ASSIGNMENT_MEMORY = 200_000
# Monitoring alerts of the same kind/metric/severity are not repeated within this many seconds.
ALERT_REPEAT_SECONDS = 3600
