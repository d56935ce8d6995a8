"""Training the fraud model from labelled history (owned by serving's engineer; lives here because it must
use this app's feature code, and serving may not import fraud).

``labels`` collects ground truth (analyst dispositions; the simulator's planted scenarios until analysts
have labelled enough), ``dataset`` computes every row's features with the online scorer's own function
as of the transaction's event time (excluding the transaction itself) plus the rules' score, ``train``
fits XGBoost on the older part, evaluates on a time-based hold-out against the rules alone, and
registers the version through ``apps.serving.registry.services.model_register``.
"""
