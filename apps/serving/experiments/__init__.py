"""Experiments (runbook §7): lifecycle, deterministic assignment on scoring, results and guardrails."""
