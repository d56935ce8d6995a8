"""The model registry: MLflow (artifacts, aliases) plus Lakay's record of versions and alias changes."""
