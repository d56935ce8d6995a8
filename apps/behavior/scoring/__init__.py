"""Pure behaviour formulas: no database, no clock, no configuration reads.

Services build the inputs from the projections and the live settings, call these, and store results.
Each function is unit-tested at its boundaries (tests/behavior/scoring/).
"""
