"""Every write of the compliance domain, one module per sub-domain (see the app README)."""
