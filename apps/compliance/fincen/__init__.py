"""FinCEN BSA E-Filing: SAR narratives, SARX/CTRX XML batches, and their validation (xmlschema)."""
