"""Every non-trivial read of the compliance domain (permission-checked where people ask)."""
