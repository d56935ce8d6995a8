"""MLflow model registry."""

from __future__ import annotations

from lakay.env import BASE_DIR, env

# A local sqlite store by default; an http(s) URL for a tracking server in production.
MLFLOW_TRACKING_URI: str = env.str(
    "MLFLOW_TRACKING_URI", default=f"sqlite:///{BASE_DIR / 'var' / 'mlflow' / 'mlflow.db'}"
)
MLFLOW_ARTIFACT_ROOT: str = env.str("MLFLOW_ARTIFACT_ROOT", default=str(BASE_DIR / "var" / "mlflow" / "artifacts"))
