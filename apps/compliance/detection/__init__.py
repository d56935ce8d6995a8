"""Pure detection logic (no database): the typologies, monitoring rules and the risk formula.

Services fetch the facts, call these functions, and raise alerts from what they return. Keeping the
arithmetic here makes every threshold testable at its boundary with plain values.
"""
