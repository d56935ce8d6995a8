"""Identifiers drawn from the run's seeded random generator, so a backfill is reproducible."""

from __future__ import annotations

import random

# What uuid.UUID(version=4) does to the 128 bits: variant 10xx, version 0100.
VERSION_MASK = ~((0xC000 << 48) | (0xF000 << 64))
VERSION_BITS = (0x8000 << 48) | (4 << 76)


class IdSource:
    """UUIDs (event and correlation ids) and Trebanx-style prefixed ids (``txn_3f2a9c01b7d4``)."""

    def __init__(self, rng: random.Random):
        self._bits = rng.getrandbits

    def uuid(self) -> str:
        """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, formatted without the UUID object."""
        number = (self._bits(128) & VERSION_MASK) | VERSION_BITS
        text = f"{number:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def prefixed(self, prefix: str, hex_digits: int = 12) -> str:
        return f"{prefix}_{self._bits(hex_digits * 4):0{hex_digits}x}"

    def hex(self, hex_digits: int) -> str:
        return f"{self._bits(hex_digits * 4):0{hex_digits}x}"
